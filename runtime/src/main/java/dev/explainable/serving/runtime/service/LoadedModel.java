package dev.explainable.serving.runtime.service;

import dev.explainable.serving.runtime.model.ServingModel;

/** A loaded, warmed-up model and the pipeline that serves it. Closing it frees the TensorFlow session. */
public record LoadedModel(ServingModel model, ExplanationPipeline pipeline, long warmUpMillis)
        implements AutoCloseable {

    @Override
    public void close() {
        model.close();
    }
}
