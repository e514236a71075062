/**
 * What the runtime answers, typed and free of any wire format: an explanation per instance, one
 * {@link dev.explainable.serving.runtime.result.LabelAttribution} per explained output, and per input a tensor of
 * attributions, named features or a rendered image. The API edge writes them in its contract's JSON.
 */
package dev.explainable.serving.runtime.result;
