/**
 * Example-based explanations, free of TensorFlow: an example set's lines read and checked ({@link ExampleLines}),
 * their embeddings stored flat ({@link Embeddings}) and searched exactly ({@link ExactSearch}) or through an HNSW graph
 * of Apache Lucene ({@link HnswSearch}), the set with its ids, bounds and report ({@link ExampleSet},
 * {@link ExampleSetBuilder}).
 */
package dev.explainable.serving.runtime.examples;
