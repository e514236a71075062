package dev.explainable.serving.runtime.api.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Moves keep-alive clients off a stopping pod. kube-proxy only balances new connections: a client holding a
 * connection keeps reaching this pod after its endpoint is removed, and once Quarkus stops accepting requests those
 * get 503. So during the shutdown delay ({@code quarkus.shutdown.delay}) every request is still answered, but with
 * {@code Connection: close} and its connection closed after the response; the client's next request opens a new
 * connection, which kube-proxy routes to a pod that is not stopping. The runtime speaks HTTP/1.1 only
 * ({@code quarkus.http.http2=false}): an HTTP/2 GOAWAY makes some clients (Java 17's HttpClient) fail the request in
 * flight instead of retrying it.
 */
@ApplicationScoped
public class ConnectionDrain {

    private static final Logger LOG = Logger.getLogger(ConnectionDrain.class);

    private volatile boolean draining;

    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        LOG.info("shutting down: answering requests on closing connections until the shutdown delay ends");
        draining = true;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::handle);
    }

    void handle(RoutingContext ctx) {
        if (draining) {
            HttpServerRequest request = ctx.request();
            ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            ctx.addEndHandler(done -> request.connection().close());
        }
        ctx.next();
    }

    public boolean draining() {
        return draining;
    }

    /** Starts or stops draining without a shutdown (tests). */
    void draining(boolean on) {
        draining = on;
    }
}
