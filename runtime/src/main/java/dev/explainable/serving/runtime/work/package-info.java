/**
 * Bounded work: the limits, deadline and admission that keep one request, or many, from taking the process down.
 * A leaf package: the model, tensor and explain packages raise its exceptions, the API edge maps them to HTTP.
 */
package dev.explainable.serving.runtime.work;
