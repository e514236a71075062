package dev.explainable.serving.runtime.explain;

import com.fasterxml.jackson.databind.JsonNode;

/** Test helpers of {@link IntegratedGradientsModelTest} for other test packages. */
public final class IntegratedGradientsModelTestAccess {
    private IntegratedGradientsModelTestAccess() {
    }

    public static String unitImage(JsonNode uint8) {
        return IntegratedGradientsModelTest.unitImage(uint8);
    }
}
