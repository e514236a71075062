package dev.explainable.serving.runtime.service;

/** Where the served model is in its life: loading, ready to serve, or failed with a reason a user can act on. */
public sealed interface ModelState {

    record Loading() implements ModelState {}

    record Ready(LoadedModel model) implements ModelState {}

    record Failed(String reason) implements ModelState {}
}
