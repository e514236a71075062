package dev.explainable.serving.operator.dependent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.StorageSpec;
import dev.explainable.serving.operator.api.VersionSpec;

/**
 * A version's effective configuration, computed once per reconcile and handed to what needs it: the version's
 * ConfigMap ({@link DesiredConfigMap}), its Deployment's env and pod template ({@link DesiredDeployment}) and the
 * status ({@code status.versions[].configHash}).
 *
 * @param settings {@link DesiredConfigMap#settings}, in their order
 * @param metadataJson {@link DesiredConfigMap#metadataJson}: null when the model folder's file is used
 * @param hash the hash of both and of how the model is fetched: a change rolls exactly this version's pods
 */
public record VersionConfig(Map<String, String> settings, String metadataJson, String hash) {

    private static final ObjectMapper CANONICAL =
            new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public static VersionConfig of(ExplainableModel m, VersionSpec v) {
        Map<String, String> settings = Collections.unmodifiableMap(DesiredConfigMap.settings(m, v));
        String metadata = DesiredConfigMap.metadataJson(v);
        return new VersionConfig(
                settings, metadata, hash(settings, metadata, m.getSpec().getStorage()));
    }

    /** Every version's, by name, in the spec's order. */
    public static Map<String, VersionConfig> of(ExplainableModel m) {
        Map<String, VersionConfig> out = new LinkedHashMap<>();
        for (VersionSpec v : m.getSpec().getVersions()) {
            out.put(v.getName(), of(m, v));
        }
        return out;
    }

    private static String hash(Map<String, String> settings, String metadata, StorageSpec storage) {
        StringBuilder b = new StringBuilder();
        settings.forEach((k, val) -> b.append(k).append('=').append(val).append('\n'));
        b.append("metadata=").append(metadata);
        // how the model is fetched (credentials, endpoints, the pods' ServiceAccount) rolls the pods too
        if (storage != null) {
            try {
                b.append("\nstorage=").append(CANONICAL.writeValueAsString(storage));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
