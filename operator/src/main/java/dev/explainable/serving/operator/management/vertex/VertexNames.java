package dev.explainable.serving.operator.management.vertex;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.function.Function;

import io.fabric8.kubernetes.client.KubernetesClientException;

import dev.explainable.serving.operator.management.GoogleError;

/**
 * Vertex's resource ids as Kubernetes names. An endpoint is an ExplainableModel (its id the model's name, which the
 * runtime's {@code endpoints/{endpoint}:explain} answers to), so its id starts with a letter: the model's Services are
 * named after it. A model id names a ConfigMap and may start with a digit. A deployed model's id is a version's name.
 * Ids a client gives are checked up front; ids a client leaves to the server are made from the display name, with a
 * random suffix only when that name is taken, so that scripts and {@code kubectl} see the same names.
 */
final class VertexNames {

    static final String ENDPOINT = "[a-z]([-a-z0-9]{0,38}[a-z0-9])?";
    static final String MODEL = "[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?";
    static final String DEPLOYED_MODEL = "[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?";
    static final String JOB = "[a-z]([-a-z0-9]{0,50}[a-z0-9])?";

    private static final SecureRandom RANDOM = new SecureRandom();

    private VertexNames() {}

    static String check(String id, String pattern, String where) {
        if (id == null || id.isEmpty()) {
            throw GoogleError.invalid(where + " is required");
        }
        if (!id.matches(pattern)) {
            String shown = id.length() > 64 ? id.substring(0, 64) + "..." : id;
            throw GoogleError.invalid(where + " '" + shown + "' is not an id here: lowercase letters, digits and '-'"
                    + (pattern.equals(ENDPOINT) || pattern.equals(JOB)
                            ? ", starting with a letter (it names Kubernetes objects and their Services)"
                            : " (it names Kubernetes objects)")
                    + ", at most " + (pattern.equals(JOB) ? 52 : 40) + " characters");
        }
        return id;
    }

    /** An id made from {@code displayName}: lowercase, other characters as '-', a letter first, at most 30. */
    static String fromDisplayName(String displayName, String fallback) {
        String s = displayName == null ? "" : displayName.toLowerCase(Locale.ROOT);
        s = s.replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > 30) {
            s = s.substring(0, 30).replaceAll("-+$", "");
        }
        if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
            s = s.isEmpty() ? fallback : fallback + "-" + s;
            if (s.length() > 30) {
                s = s.substring(0, 30).replaceAll("-+$", "");
            }
        }
        return s;
    }

    /**
     * What {@code create} makes under an id: {@code given} as the client gave it (taken: ALREADY_EXISTS, as
     * {@code named} + id), else {@code base}, and while that is taken {@code base} with a random suffix (four tries).
     */
    static <T> T createWithId(String given, String base, String named, Function<String, T> create) {
        String id = given != null ? given : base;
        for (int attempt = 1; ; attempt++) {
            try {
                return create.apply(id);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 && given != null) {
                    throw new GoogleError(409, "ALREADY_EXISTS", named + id + " already exists");
                }
                if (e.getCode() != 409 || attempt == 4) {
                    throw e;
                }
                id = withSuffix(base); // an id made from a display name that is taken: the same with a suffix
            }
        }
    }

    /** {@code base} with a random suffix, for when {@code base} is taken. */
    static String withSuffix(String base) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder(base).append('-');
        for (int i = 0; i < 5; i++) {
            b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
