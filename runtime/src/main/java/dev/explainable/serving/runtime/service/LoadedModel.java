package dev.explainable.serving.runtime.service;

import dev.explainable.serving.runtime.metadata.ExplanationMetadata;
import dev.explainable.serving.runtime.model.ModelSignature;
import dev.explainable.serving.runtime.model.ServingModel;

/**
 * A loaded, warmed-up model, the pipeline that serves it and its description for clients (computed once at load).
 * Closing it frees the TensorFlow session.
 */
public record LoadedModel(
        ServingModel model, ExplanationPipeline pipeline, long warmUpMillis, ModelDescription description)
        implements AutoCloseable {

    /** What the model takes, answers and explains. */
    public ModelSignature signature() {
        return model.signature();
    }

    /** The explanation metadata in effect (the model's, or inferred from its signature). */
    public ExplanationMetadata metadata() {
        return model.signature().metadata();
    }

    /** True when the model came without metadata and it was inferred. */
    public boolean metadataInferred() {
        return model.signature().metadataInferred();
    }

    @Override
    public void close() {
        model.close();
    }
}
