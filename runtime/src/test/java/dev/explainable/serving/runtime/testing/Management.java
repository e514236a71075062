package dev.explainable.serving.runtime.testing;

import java.net.URI;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The running test application's management interface (health and metrics), on a port of its own: tests reach it
 * as the kubelet and Prometheus do, not through the API port.
 */
public final class Management {

    private Management() {}

    /** The management interface's port (random in tests: Quarkus records the one it bound). */
    public static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
    }

    /** {@code http://localhost:<management port><path>}. */
    public static String url(String path) {
        return "http://localhost:" + port() + path;
    }

    public static URI uri(String path) {
        return URI.create(url(path));
    }
}
