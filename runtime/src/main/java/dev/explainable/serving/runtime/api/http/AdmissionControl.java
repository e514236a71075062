package dev.explainable.serving.runtime.api.http;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;

import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.work.Admission;
import dev.explainable.serving.runtime.work.ExplanationSlots;
import dev.explainable.serving.runtime.work.RequestDeadline;

/**
 * The two admission queues, explanations and predictions (a cheap predict never waits behind explanations), the
 * bound on requests forwarded to other versions ({@code api.forwarding.VersionForwarder}), their metrics, and their part in
 * shutdown: every request still running, computed here or forwarded, ends before the pod's grace period does.
 */
@ApplicationScoped
public class AdmissionControl {

    private static final Logger LOG = Logger.getLogger(AdmissionControl.class);
    /** Left between the cut-off and the end of Quarkus' shutdown timeout, for the answers to go out. */
    private static final Duration MARGIN = Duration.ofSeconds(3);

    private final Admission explanations;
    private final Admission predictions;
    private final Admission forwards;
    private final Duration shutdownWindow;

    public AdmissionControl(
            ExplainConfig config,
            MeterRegistry registry,
            @ConfigProperty(name = "quarkus.shutdown.delay", defaultValue = "0s") Duration shutdownDelay,
            @ConfigProperty(name = "quarkus.shutdown.timeout", defaultValue = "25s") Duration shutdownTimeout) {
        var a = config.admission();
        long heap = Runtime.getRuntime().maxMemory();
        int slots = ExplanationSlots.of(
                a.maxConcurrentExplanations(), heap, config.limits().maxBatchElements());
        if (a.maxConcurrentExplanations() == 0) {
            LOG.infof(
                    "%d explanations run at once (explain.admission.max-concurrent-explanations=0: as the %d MiB heap"
                            + " holds at explain.limits.max-batch-elements, %d to %d)",
                    slots, heap >> 20, ExplanationSlots.MIN, ExplanationSlots.MAX);
        }
        this.explanations = new Admission(
                "explanations",
                "explain.admission.max-concurrent-explanations / " + "max-queued-explanations",
                slots,
                a.maxQueuedExplanations(),
                a.maxQueueWait());
        this.predictions = new Admission(
                "predictions",
                "explain.admission.max-concurrent-predictions / " + "max-queued-predictions",
                a.maxConcurrentPredictions(),
                a.maxQueuedPredictions(),
                a.maxQueueWait());
        // no queue: the other version queues with its own admission control, and a forward waiting here would hold
        // a worker thread for nothing
        this.forwards = new Admission(
                "forwarded requests",
                "explain.routing.max-concurrent-forwards",
                config.routing().maxConcurrentForwards(),
                0);
        Duration window = shutdownDelay.plus(shutdownTimeout).minus(MARGIN);
        this.shutdownWindow = window.isNegative() ? Duration.ZERO : window;
        register(registry, "explain", explanations);
        register(registry, "predict", predictions);
        register(registry, "forward", forwards);
        // what an autoscaler's per-pod target reads: running alone stops at the slot count, the sum shows the excess
        Gauge.builder("explainable.explanations.in.flight", explanations, e -> e.running() + e.queued())
                .description("explanations running or waiting for a slot")
                .register(registry);
    }

    private static void register(MeterRegistry registry, String verb, Admission admission) {
        Gauge.builder("explainable.admission.running", admission, Admission::running)
                .tag("verb", verb)
                .description("requests being computed")
                .register(registry);
        Gauge.builder("explainable.admission.queued", admission, Admission::queued)
                .tag("verb", verb)
                .description("requests waiting for a slot")
                .register(registry);
        FunctionCounter.builder("explainable.admission.rejected", admission, Admission::rejected)
                .tag("verb", verb)
                .description("requests refused with 429: every slot and queue place taken")
                .register(registry);
    }

    public Admission explanations() {
        return explanations;
    }

    public Admission predictions() {
        return predictions;
    }

    /** Requests in flight to another version of the model. */
    public Admission forwards() {
        return forwards;
    }

    public void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        LOG.infof("shutting down: requests still running at %d s are cancelled", shutdownWindow.toSeconds());
        RequestDeadline.stopAllAfter(shutdownWindow);
    }

    public void onShutdown(@Observes ShutdownEvent event) {
        explanations.stop();
        predictions.stop();
        forwards.stop();
        RequestDeadline.stopAllAfter(Duration.ZERO);
    }
}
