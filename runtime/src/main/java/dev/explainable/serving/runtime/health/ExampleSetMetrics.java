package dev.explainable.serving.runtime.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

import dev.explainable.serving.runtime.service.ModelHost;

/**
 * The served model's example set (example-based explanations): its examples, the bytes it holds against
 * explain.examples.max-bytes, and the lines its load left out; 0 without a set or before the model is ready.
 */
@ApplicationScoped
public class ExampleSetMetrics {

    void register(@Observes StartupEvent ev, ModelHost models, MeterRegistry registry) {
        Gauge.builder("explainable.examples", models, m -> m.exampleSet(ModelHost.ExampleFigure.EXAMPLES))
                .description("Examples in the served model's example set")
                .register(registry);
        Gauge.builder("explainable.examples.bytes", models, m -> m.exampleSet(ModelHost.ExampleFigure.BYTES))
                .description("Bytes the example set holds: embeddings, the approximate search's graph, kept lines")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("explainable.examples.bad.lines", models, m -> m.exampleSet(ModelHost.ExampleFigure.BAD_LINES))
                .description("Lines of the example set left out at load")
                .register(registry);
    }
}
