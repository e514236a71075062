package dev.explainable.serving.operator.config;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

/** The tolerations given to versions with gpus > 0: a JSON list of Kubernetes tolerations (Helm: gpu.tolerations). */
public final class GpuTolerations {

    /** Without a setting: tolerate the taint NVIDIA's GPU node setups put on GPU nodes. */
    public static final List<Toleration> DEFAULT = List.of(new TolerationBuilder()
            .withKey("nvidia.com/gpu")
            .withOperator("Exists")
            .withEffect("NoSchedule")
            .build());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OPERATORS = Set.of("Exists", "Equal");
    private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    private GpuTolerations() {}

    /** Parses and checks the setting; an invalid one is refused with what is wrong (the operator does not start). */
    public static List<Toleration> parse(String json) {
        List<Toleration> list;
        try {
            list = JSON.readValue(json, new TypeReference<List<Toleration>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "explainable.operator.gpu-tolerations must be a JSON list of "
                            + "tolerations, e.g. [{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]: "
                            + e.getOriginalMessage(),
                    e);
        }
        if (list == null) {
            throw new IllegalArgumentException("explainable.operator.gpu-tolerations must be a JSON list, not " + json);
        }
        for (Toleration t : list) {
            if (t == null) {
                throw new IllegalArgumentException("explainable.operator.gpu-tolerations has a null entry: " + json);
            }
            if (!t.getAdditionalProperties().isEmpty()) {
                throw new IllegalArgumentException("gpu toleration " + t.getKey() + ": unknown field(s) "
                        + t.getAdditionalProperties().keySet() + " (key, operator, value, effect, tolerationSeconds)");
            }
            String op = t.getOperator() == null ? "Equal" : t.getOperator();
            if (!OPERATORS.contains(op)) {
                throw new IllegalArgumentException(
                        "gpu toleration " + t.getKey() + ": operator must be Exists or Equal, " + "not " + op);
            }
            if (t.getEffect() != null && !t.getEffect().isEmpty() && !EFFECTS.contains(t.getEffect())) {
                throw new IllegalArgumentException("gpu toleration " + t.getKey() + ": effect must be one of " + EFFECTS
                        + ", not " + t.getEffect());
            }
            if ((t.getKey() == null || t.getKey().isEmpty()) && !"Exists".equals(op)) {
                throw new IllegalArgumentException("gpu toleration without a key must use operator Exists");
            }
        }
        return List.copyOf(list);
    }
}
