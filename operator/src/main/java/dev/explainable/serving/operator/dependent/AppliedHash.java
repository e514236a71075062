package dev.explainable.serving.operator.dependent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * A hash of an object as the operator wants it, kept in an annotation on the object: when the cached object carries
 * the hash of what the operator would apply now, applying again would change nothing, so the operator skips the
 * request. The trade-off: a hand edit of a field the operator sets stays until the model (or the operator's
 * configuration) changes, or the object is deleted (it is then recreated).
 */
public final class AppliedHash {

    public static final String ANNOTATION = "serving.explainable.dev/applied-hash";

    private static final ObjectMapper CANONICAL =
            new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private AppliedHash() {}

    /** The hash of {@code desired} (without any hash annotation it may carry). */
    public static String compute(HasMetadata desired) {
        try {
            // through a tree: map keys sorted at every level, so equal objects give equal bytes
            Map<?, ?> tree = CANONICAL.convertValue(desired, Map.class);
            Object metadata = tree.get("metadata");
            if (metadata instanceof Map<?, ?> meta
                    && meta.get("annotations") instanceof Map<?, ?> annotations
                    && annotations.containsKey(ANNOTATION)) {
                Map<Object, Object> rest = new LinkedHashMap<>(annotations);
                rest.remove(ANNOTATION);
                @SuppressWarnings("unchecked")
                Map<Object, Object> m = (Map<Object, Object>) meta;
                if (rest.isEmpty()) {
                    m.remove("annotations"); // as if never stamped
                } else {
                    m.put("annotations", rest);
                }
            }
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(CANONICAL.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash " + desired.getKind(), e);
        }
    }

    /** {@code desired} with its hash annotation set; returns the hash. */
    public static String stamp(HasMetadata desired) {
        String hash = compute(desired);
        if (desired.getMetadata().getAnnotations() == null) {
            desired.getMetadata().setAnnotations(new LinkedHashMap<>());
        }
        desired.getMetadata().getAnnotations().put(ANNOTATION, hash);
        return hash;
    }

    /** The hash an existing object carries, or null. */
    public static String of(HasMetadata existing) {
        Map<String, String> a = existing == null ? null : existing.getMetadata().getAnnotations();
        return a == null ? null : a.get(ANNOTATION);
    }
}
