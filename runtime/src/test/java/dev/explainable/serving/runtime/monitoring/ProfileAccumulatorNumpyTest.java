package dev.explainable.serving.runtime.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.result.InputExplanation;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.result.NamedFeatures;
import dev.explainable.serving.runtime.result.TensorAttribution;
import dev.explainable.serving.testkit.VertexPython;

/**
 * A profile equals numpy's computation over the same attributions: random explanations of three labels (one missing
 * from some explanations), with named features, a small unnamed input (one feature an element), a single value and a
 * large input (one feature, the sum of absolute values), written out raw; {@code src/test/python/profile_reference.py}
 * applies the documented rules with numpy. Needs numpy (the Vertex SDK's virtualenv has it,
 * tools/ensure-vertex-sdk.sh); without it the test skips with one line.
 */
class ProfileAccumulatorNumpyTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theProfileEqualsNumpysOverTheSameAttributions() throws Exception {
        Assumptions.assumeTrue(
                VertexPython.present(), "numpy's virtualenv is missing (tools/ensure-vertex-sdk.sh): skipped");
        Random r = new Random(7);
        ProfileAccumulator acc = new ProfileAccumulator();
        List<Map<String, Object>> raw = new ArrayList<>();
        for (int n = 0; n < 500; n++) {
            List<LabelAttribution> labels = new ArrayList<>();
            for (String label : new String[] {"setosa", "versicolor", "virginica"}) {
                if (label.equals("virginica") && n % 3 == 0) {
                    continue; // explained in two of three explanations: its count and means are its own
                }
                Map<String, InputExplanation> inputs = new LinkedHashMap<>();
                Map<String, Object> rawInputs = new LinkedHashMap<>();
                Map<String, Double> named = new LinkedHashMap<>();
                for (String f : new String[] {"sepal_length", "sepal_width", "petal_length"}) {
                    named.put(f, r.nextGaussian() * (f.length() % 3 + 1));
                }
                inputs.put("measures", new NamedFeatures(named, null));
                rawInputs.put("measures", Map.of("named", named));
                for (Object[] t : new Object[][] {{"small", 5}, {"single", 1}, {"image", 300}}) {
                    double[] v = new double[(int) t[1]];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = r.nextGaussian() - 0.3;
                    }
                    inputs.put((String) t[0], new TensorAttribution(new long[] {v.length}, v));
                    rawInputs.put((String) t[0], Map.of("values", v));
                }
                labels.add(new LabelAttribution("probabilities", -1, label, 0, 1, null, null, inputs));
                raw.add(Map.of("label", label, "explanation", n, "inputs", rawInputs));
            }
            acc.add(new Explanation(labels));
        }
        Path in = Files.createTempFile("attributions", ".json");
        Files.writeString(in, JSON.writeValueAsString(raw));
        VertexPython.Run run = VertexPython.run(
                Map.of(), Duration.ofSeconds(60), "src/test/python/profile_reference.py", in.toString());
        assertEquals(0, run.exit(), run.out() + run.err());
        JsonNode numpy = JSON.readTree(run.out());
        AttributionProfile profile = acc.profile();
        assertEquals(500, acc.explanations());
        assertEquals(numpy.size(), profile.labels().size());
        int compared = 0;
        for (Map.Entry<String, AttributionProfile.Label> l : profile.labels().entrySet()) {
            JsonNode ref = numpy.get(l.getKey());
            assertEquals(ref.get("count").asLong(), l.getValue().count(), l.getKey());
            assertEquals(
                    ref.get("meanAbsAttribution").size(),
                    l.getValue().meanAbsAttribution().size());
            for (Map.Entry<String, Double> f : l.getValue().meanAbsAttribution().entrySet()) {
                double expected = ref.get("meanAbsAttribution").get(f.getKey()).asDouble();
                assertEquals(expected, f.getValue(), 1e-12 * Math.max(1, Math.abs(expected)), l + " " + f.getKey());
                compared++;
            }
        }
        assertEquals(3 * (3 + 5 + 1 + 1), compared);
    }
}
