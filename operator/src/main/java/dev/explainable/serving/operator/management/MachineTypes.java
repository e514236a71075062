package dev.explainable.serving.operator.management;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.explainable.serving.operator.api.ResourcesSpec;

/**
 * AI Platform's machine types as pod resources: the CPUs and memory Google lists for each (a GPU comes from
 * {@code acceleratorConfig}). A type not listed is refused, naming the ones that are, rather than guessed.
 */
public final class MachineTypes {

    /** name → {cpu, memory}. */
    static final Map<String, String[]> TYPES = new LinkedHashMap<>();

    static {
        TYPES.put("mls1-c1-m2", new String[] {"1", "2Gi"});
        TYPES.put("mls1-c4-m2", new String[] {"4", "2Gi"});
        TYPES.put("n1-standard-2", new String[] {"2", "7680Mi"});
        TYPES.put("n1-standard-4", new String[] {"4", "15Gi"});
        TYPES.put("n1-standard-8", new String[] {"8", "30Gi"});
        TYPES.put("n1-standard-16", new String[] {"16", "60Gi"});
        TYPES.put("n1-highmem-2", new String[] {"2", "13Gi"});
        TYPES.put("n1-highmem-4", new String[] {"4", "26Gi"});
        TYPES.put("n1-highmem-8", new String[] {"8", "52Gi"});
        TYPES.put("n1-highcpu-4", new String[] {"4", "3686Mi"});
        TYPES.put("n1-highcpu-8", new String[] {"8", "7372Mi"});
    }

    private MachineTypes() {}

    /** The resources of {@code machineType}; none given: the operator's defaults (cpu and memory unset). */
    public static ResourcesSpec resources(String machineType) {
        return resources(machineType, "version.machineType");
    }

    /** The same, {@code where} naming the field in a refusal. */
    public static ResourcesSpec resources(String machineType, String where) {
        ResourcesSpec r = new ResourcesSpec();
        if (machineType == null) {
            return r;
        }
        String[] t = TYPES.get(machineType);
        if (t == null) {
            throw GoogleError.invalid(
                    where + " " + machineType + " is not supported; one of " + String.join(", ", TYPES.keySet()));
        }
        r.setCpu(t[0]);
        r.setMemory(t[1]);
        return r;
    }

    /** The machine type whose resources {@code r} are, or null. */
    public static String name(ResourcesSpec r) {
        for (Map.Entry<String, String[]> t : TYPES.entrySet()) {
            if (t.getValue()[0].equals(r.getCpu()) && t.getValue()[1].equals(r.getMemory())) {
                return t.getKey();
            }
        }
        return null;
    }
}
