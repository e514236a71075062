package dev.explainable.serving.runtime.api.auth;

import java.util.List;
import java.util.Map;

/** A caller as the API server's TokenReview authenticated it: what a SubjectAccessReview carries. */
public record Identity(String username, String uid, List<String> groups, Map<String, List<String>> extra) {}
