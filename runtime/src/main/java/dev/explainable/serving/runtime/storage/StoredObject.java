package dev.explainable.serving.runtime.storage;

/**
 * One object of a model folder, as the store lists it.
 *
 * @param name the object's full name in the bucket
 * @param relativeName its name below the model folder: the path it takes in the local copy
 * @param size its size in bytes as listed
 * @param version the store's version of the object (GCS generation, S3 ETag), so that every read sees the listed
 *     version; null when the store gives none
 */
public record StoredObject(String name, String relativeName, long size, String version) {}
