package dev.explainable.serving.runtime.api.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

import dev.explainable.serving.runtime.config.ExplainConfig;

/**
 * Keeps the API port's idle timeout longer than a request may run. Nothing flows on a connection while its
 * explanation computes, so an idle timeout shorter than {@code explain.limits.deadline} would close it unanswered
 * before the deadline's 504 (or the answer) could be sent. The idle timeout is raised to the deadline plus a margin
 * when it is shorter; it only bounds idle keep-alive connections otherwise.
 */
@ApplicationScoped
public class IdleTimeoutCoversDeadline implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(IdleTimeoutCoversDeadline.class);
    /** Past the deadline's own grace: time to write the 504. */
    static final long MARGIN_MILLIS = 5_000;

    private final Duration deadline;

    public IdleTimeoutCoversDeadline(ExplainConfig config) {
        this.deadline = config.limits().deadline();
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        long idle = options.getIdleTimeoutUnit().toMillis(options.getIdleTimeout());
        long least = minimumMillis(deadline);
        if (idle > 0 && idle < least) {
            LOG.infof(
                    "quarkus.http.idle-timeout raised from %d ms to %d ms: it must outlast explain.limits.deadline (%s)",
                    idle, least, deadline);
            options.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, least));
            options.setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        }
    }

    /** The shortest idle timeout that lets a request reach its deadline and be answered. */
    static long minimumMillis(Duration deadline) {
        return deadline.toMillis() + HttpGuards.DEADLINE_GRACE_MILLIS + MARGIN_MILLIS;
    }
}
