package dev.explainable.serving.operator.events;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.operator.status.Reason;

/**
 * Records Kubernetes Events about models, as Flink's {@code EventRecorder} does: typed ({@link Type}, and a
 * {@link Reason}, or a reason Kubernetes gave that a version's state passes on), from the operator's component, and
 * de-duplicated: an event equal to one recorded less than {@link #DEDUPLICATION} ago (same model, type, reason and
 * message) is not recorded again. Flink and client-go count such a repeat on the first Event (a get and a patch);
 * the operator may only create Events (the Helm chart's Role grants nothing else), so it drops the repeat instead.
 *
 * <p>An Event is a courtesy: one the API server refuses is logged at debug level and forgotten, never an error.
 */
public final class EventRecorder {

    /** An Event's type. */
    public enum Type {
        NORMAL("Normal"),
        WARNING("Warning");

        private final String value;

        Type(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    /** As client-go's aggregation interval. */
    static final Duration DEDUPLICATION = Duration.ofMinutes(10);
    /** As client-go's de-duplication cache. */
    static final int REMEMBERED = 4096;

    private final KubernetesClient client;
    private final Clock clock;
    private final RecentEvents recent = new RecentEvents(DEDUPLICATION, REMEMBERED);

    public EventRecorder(KubernetesClient client) {
        this(client, Clock.systemUTC());
    }

    EventRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void normal(ExplainableModel model, Reason reason, String message) {
        record(model, Type.NORMAL, reason.value(), message);
    }

    public void warning(ExplainableModel model, Reason reason, String message) {
        record(model, Type.WARNING, reason.value(), message);
    }

    /** A Warning whose reason Kubernetes gave (a kubelet's, the scheduler's, an autoscaler's), passed on. */
    public void warning(HasMetadata model, String passedOnReason, String message) {
        record(model, Type.WARNING, passedOnReason, message);
    }

    /** A Normal event about any of the operator's resources (an ExplanationJob). */
    public void normal(HasMetadata object, String reason, String message) {
        record(object, Type.NORMAL, reason, message);
    }

    private void record(HasMetadata model, Type type, String reason, String message) {
        RecentEvents.Key key = new RecentEvents.Key(model.getMetadata().getUid(), type, reason, message);
        if (!recent.record(key, clock.instant())) {
            return;
        }
        try {
            String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
            client.v1()
                    .events()
                    .inNamespace(model.getMetadata().getNamespace())
                    .resource(new EventBuilder()
                            .withNewMetadata()
                            .withGenerateName(model.getMetadata().getName() + "-")
                            .endMetadata()
                            .withNewInvolvedObject()
                            .withApiVersion(model.getApiVersion())
                            .withKind(model.getKind())
                            .withName(model.getMetadata().getName())
                            .withNamespace(model.getMetadata().getNamespace())
                            .withUid(model.getMetadata().getUid())
                            .endInvolvedObject()
                            .withReason(reason)
                            .withMessage(message)
                            .withType(type.value())
                            .withFirstTimestamp(now)
                            .withLastTimestamp(now)
                            .withCount(1)
                            .withNewSource()
                            .withComponent(Labels.OPERATOR)
                            .endSource()
                            .build())
                    .create();
        } catch (RuntimeException e) {
            recent.forget(key);
            LOG.debugf("could not record event %s: %s", reason, e.getMessage());
        }
    }
}
