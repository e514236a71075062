package dev.explainable.serving.runtime.api.http;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ConnectionDrainTest {

    @Inject
    ConnectionDrain drain;

    @TestHTTPResource("/")
    URL root;

    @AfterEach
    void stopDraining() {
        drain.draining(false);
    }

    /** Sends one keep-alive request and reads until the server closes the connection (or 3 s pass). */
    String exchange() throws Exception {
        try (Socket s = new Socket(root.getHost(), root.getPort())) {
            s.setSoTimeout(3000);
            s.getOutputStream()
                    .write(("GET / HTTP/1.1\r\nHost: " + root.getHost() + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
            return out.toString(StandardCharsets.US_ASCII);
        }
    }

    @Test
    void keepAliveConnectionsStayOpenNormally() {
        assertThrows(SocketTimeoutException.class, this::exchange, "the server closed a keep-alive connection");
    }

    @Test
    void whileDrainingRequestsAreAnsweredAndTheirConnectionsClosed() throws Exception {
        drain.draining(true);
        String response = exchange();
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertTrue(response.toLowerCase().contains("connection: close"), response);
        assertTrue(response.contains("</html>"), response);
    }
}
