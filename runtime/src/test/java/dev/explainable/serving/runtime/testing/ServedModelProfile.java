package dev.explainable.serving.runtime.testing;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A test profile serving one of the committed test models ({@code src/test/resources/models/<model>}) under a model
 * name, with more settings where a test needs them.
 */
public abstract class ServedModelProfile implements QuarkusTestProfile {

    private final Map<String, String> overrides;

    protected ServedModelProfile(String model, String name) {
        this(model, name, Map.of());
    }

    protected ServedModelProfile(String model, String name, Map<String, String> more) {
        Map<String, String> all = new HashMap<>(more);
        all.put("explain.model.dir", "src/test/resources/models/" + model);
        all.put("explain.model.name", name);
        this.overrides = Map.copyOf(all);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return overrides;
    }
}
