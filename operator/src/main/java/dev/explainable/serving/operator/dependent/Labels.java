package dev.explainable.serving.operator.dependent;

import java.util.LinkedHashMap;
import java.util.Map;

/** The labels every object of a model carries, and the selectors built from them. */
public final class Labels {

    public static final String MODEL = "serving.explainable.dev/model";
    public static final String VERSION = "serving.explainable.dev/version";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String OPERATOR = "explainable-serving-operator";
    public static final String CONFIG_HASH = "serving.explainable.dev/config-hash";
    /**
     * The version label value no pod carries (version names are DNS labels, never empty): what the Service of a
     * model without versions selects, which is nothing.
     */
    public static final String NO_VERSION = "";

    private Labels() {}

    public static Map<String, String> forModel(String model) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put("app.kubernetes.io/name", "explainable-serving-runtime");
        l.put("app.kubernetes.io/instance", model);
        l.put("app.kubernetes.io/part-of", "explainable-serving");
        l.put(MANAGED_BY, OPERATOR);
        l.put(MODEL, model);
        return l;
    }

    public static Map<String, String> forVersion(String model, String version) {
        Map<String, String> l = forModel(model);
        l.put("app.kubernetes.io/component", "model-version");
        l.put(VERSION, version);
        return l;
    }

    /** Pods of one version. */
    public static Map<String, String> selector(String model, String version) {
        return Map.of(MODEL, model, VERSION, version);
    }
}
