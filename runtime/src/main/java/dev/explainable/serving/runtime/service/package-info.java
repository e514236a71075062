/**
 * The composition root and the services the API edge calls: {@link dev.explainable.serving.runtime.service.ModelHost}
 * (the model's lifecycle), {@link dev.explainable.serving.runtime.service.ModelLoader} (load, compose, warm up) and
 * {@link dev.explainable.serving.runtime.service.ExplanationPipeline} (decode, run, explain, render).
 */
package dev.explainable.serving.runtime.service;
