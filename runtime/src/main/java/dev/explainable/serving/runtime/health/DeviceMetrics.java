package dev.explainable.serving.runtime.health;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

import dev.explainable.serving.runtime.service.ModelHost;

/**
 * {@code explainable_model_devices{type}}: the devices TensorFlow runs the model with (0 until it is ready); and
 * {@code explainable_model_fitted_rows_per_run}: the batch fitted to the device's memory (0 until a run ran out of it).
 */
@ApplicationScoped
public class DeviceMetrics {

    void register(@Observes StartupEvent ev, ModelHost models, MeterRegistry registry) {
        for (String type : List.of("CPU", "GPU")) {
            Gauge.builder("explainable.model.devices", models, m -> m.deviceCount(type))
                    .tag("type", type)
                    .description("TensorFlow devices of the served model's session, by type")
                    .register(registry);
        }
        Gauge.builder("explainable.model.fitted.rows.per.run", models, ModelHost::fittedRowsPerRun)
                .description("Rows one model run may take since TensorFlow ran out of memory on a larger one; 0 if"
                        + " it never has")
                .register(registry);
    }
}
