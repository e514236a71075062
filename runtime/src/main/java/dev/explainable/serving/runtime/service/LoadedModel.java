package dev.explainable.serving.runtime.service;

import dev.explainable.serving.runtime.model.ServingModel;

/**
 * A loaded, warmed-up model, the pipeline that serves it and its description for clients (computed once at load).
 * Closing it frees the TensorFlow session.
 */
public record LoadedModel(
        ServingModel model, ExplanationPipeline pipeline, long warmUpMillis, ModelDescription description)
        implements AutoCloseable {

    @Override
    public void close() {
        model.close();
    }
}
