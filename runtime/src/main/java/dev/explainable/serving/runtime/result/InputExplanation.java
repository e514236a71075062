package dev.explainable.serving.runtime.result;

/** The attributions of one input, in the form its metadata asks for. */
public sealed interface InputExplanation permits TensorAttribution, NamedFeatures, RenderedImage {

    /** The numbers behind the form (for a rendered image, its raw map). */
    TensorAttribution tensor();
}
