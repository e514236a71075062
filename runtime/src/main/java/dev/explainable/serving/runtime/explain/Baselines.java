package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.explainable.serving.runtime.work.InvalidInstanceException;

/**
 * Metadata baselines made concrete for one instance: each element of {@code input_baselines} is one baseline,
 * a scalar broadcasts to the input's shape, none means zeros. Inputs are interpolated together, so baseline k of
 * every input forms baseline set k; an input with a single baseline joins every set.
 */
public final class Baselines {

    private Baselines() {}

    public static List<float[]> forInput(String key, List<Object> baselines, long[] shape) {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (baselines == null || baselines.isEmpty()) {
            return List.of(new float[n]);
        }
        List<float[]> out = new ArrayList<>();
        for (int b = 0; b < baselines.size(); b++) {
            Object value = baselines.get(b);
            float[] data = new float[n];
            if (value instanceof Number num) {
                Arrays.fill(data, num.floatValue());
            } else {
                List<Float> flat = new ArrayList<>();
                List<Long> dims = new ArrayList<>();
                flatten(value, flat, dims, 0);
                long[] bshape = dims.stream().mapToLong(Long::longValue).toArray();
                if (!Arrays.equals(bshape, shape) || flat.size() != n) {
                    throw new InvalidInstanceException("explanation metadata: baseline " + b + " of input '" + key
                            + "' has shape " + Arrays.toString(bshape) + " but the input has shape "
                            + Arrays.toString(shape));
                }
                for (int i = 0; i < n; i++) {
                    data[i] = flat.get(i);
                }
            }
            out.add(data);
        }
        return out;
    }

    private static void flatten(Object o, List<Float> out, List<Long> dims, int depth) {
        if (o instanceof List<?> l) {
            if (dims.size() == depth) {
                dims.add((long) l.size());
            }
            for (Object e : l) {
                flatten(e, out, dims, depth + 1);
            }
        } else {
            out.add(((Number) o).floatValue());
        }
    }

    /**
     * The baseline sets of an instance: {@code configured} holds each input's metadata {@code input_baselines}
     * (null or empty for zeros), in input order.
     */
    public static List<List<float[]>> sets(List<InputValues> inputs, List<List<Object>> configured) {
        Map<String, List<float[]>> perInput = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            InputValues x = inputs.get(i);
            perInput.put(x.name(), forInput(x.name(), configured.get(i), x.shape()));
        }
        List<List<float[]>> sets = new ArrayList<>();
        for (Map<String, float[]> set : sets(perInput)) {
            sets.add(new ArrayList<>(set.values()));
        }
        return sets;
    }

    /** Groups per-input baselines into sets; the counts must be 1 or all equal. */
    static List<Map<String, float[]>> sets(Map<String, List<float[]>> perInput) {
        int count = perInput.values().stream().mapToInt(List::size).max().orElse(1);
        for (Map.Entry<String, List<float[]>> e : perInput.entrySet()) {
            if (e.getValue().size() != 1 && e.getValue().size() != count) {
                throw new InvalidInstanceException("explanation metadata: input '" + e.getKey() + "' has "
                        + e.getValue().size() + " baselines while another input has " + count
                        + "; give every input 1 or " + count);
            }
        }
        List<Map<String, float[]>> sets = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            Map<String, float[]> set = new LinkedHashMap<>();
            for (Map.Entry<String, List<float[]>> e : perInput.entrySet()) {
                set.put(
                        e.getKey(),
                        e.getValue().size() == 1
                                ? e.getValue().get(0)
                                : e.getValue().get(k));
            }
            sets.add(set);
        }
        return sets;
    }
}
