package dev.explainable.serving.operator.management.ml;

import dev.explainable.serving.operator.management.GoogleError;

/**
 * Model and version names, checked up front: they are Kubernetes names here (an ExplainableModel's, a version's
 * Service {@code <model>-<version>}), so AI Platform's underscores and capitals are refused with the rule rather
 * than by the API server later.
 */
final class Names {

    private static final String LABEL = "[a-z]([-a-z0-9]{0,61}[a-z0-9])?";

    private Names() {}

    static void check(String name, String where) {
        if (name == null || name.isEmpty()) {
            throw GoogleError.invalid(where + " is required");
        }
        if (!name.matches(LABEL) || name.length() > 40) {
            throw GoogleError.invalid(where + " '" + (name.length() > 64 ? name.substring(0, 64) + "..." : name)
                    + "' is not a name here: lowercase letters, digits and '-', starting with a letter, at most 40"
                    + " characters (they name Kubernetes objects; AI Platform's '_' and capitals are not allowed)");
        }
    }
}
