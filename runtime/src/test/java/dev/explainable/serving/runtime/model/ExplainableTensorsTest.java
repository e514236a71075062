package dev.explainable.serving.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.TestModels;

/** The tensor listing names tensors the way metadata resolves them: every listed name loads as an explained input. */
class ExplainableTensorsTest {

    @Test
    void listsSignatureTensorsAndTheFloatTensorsInsideKerasFunctions() {
        List<ExplainableTensors.Entry> all = ExplainableTensors.list(TestModels.dir("tabular_classifier"), "");
        ExplainableTensors.Entry input = all.stream()
                .filter(e -> e.name().equals("serving_default_features:0"))
                .findFirst()
                .orElseThrow();
        assertEquals("float32", input.dtype());
        assertEquals("[5]", input.shape());
        List<ExplainableTensors.Entry> hidden = all.stream()
                .filter(e -> e.name().contains("dense") && e.op().equals("Tanh"))
                .toList();
        assertEquals(1, hidden.size(), "the hidden layer's activation, once: " + all);
        assertTrue(all.stream().noneMatch(e -> e.name().startsWith("serve_")), "the serving signature only");
        assertEquals("[16]", hidden.get(0).shape());
        assertTrue(ExplainableTensors.list(TestModels.dir("tabular_classifier"), "no-such-name")
                .isEmpty());
    }
}
