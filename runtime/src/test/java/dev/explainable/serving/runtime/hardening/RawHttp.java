package dev.explainable.serving.runtime.hardening;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket: hostile requests need what HTTP clients refuse to send (odd methods, malformed or
 * lying headers, bodies that stop half-way).
 */
final class RawHttp {

    private RawHttp() {}

    /** A response: status, headers (lower-cased names, as sent) and body. */
    record Response(int status, String head, String body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0
                        && line.substring(0, colon)
                                .trim()
                                .toLowerCase(Locale.ROOT)
                                .equals(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    static byte[] request(String method, String path, String contentType, byte[] body, String... headers) {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            return h;
        }
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** Sends the bytes, reads until the server closes; null when it answered nothing at all. */
    static Response send(int port, byte[] bytes, int timeoutMillis) throws IOException {
        return send(port, null, bytes, timeoutMillis);
    }

    /**
     * As {@link #send(int, byte[], int)}, from the loopback address {@code from} (127.0.0.2, ...): a client the
     * server tells apart from others by its address; null for the default.
     */
    static Response send(int port, String from, byte[] bytes, int timeoutMillis) throws IOException {
        try (Socket socket = from == null
                ? new Socket("localhost", port)
                : new Socket("localhost", port, java.net.InetAddress.getByName(from), 0)) {
            socket.setSoTimeout(timeoutMillis);
            try {
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // the server answered and closed before taking the whole request: its answer may still be readable
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[16384];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new IOException("no complete answer within " + timeoutMillis + " ms: "
                        + out.toString(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                // a reset after the answer (the server closed with unread request bytes) keeps what arrived
                if (out.size() == 0) {
                    return null;
                }
            }
            String all = out.toString(StandardCharsets.UTF_8);
            // interim answers (100 Continue to "Expect: 100-continue") precede the final one
            while (all.matches("(?s)HTTP/1\\.[01] 1\\d\\d.*") && all.indexOf("\r\n\r\n") >= 0) {
                all = all.substring(all.indexOf("\r\n\r\n") + 4);
            }
            if (all.isEmpty()) {
                return null;
            }
            int split = all.indexOf("\r\n\r\n");
            String head = split < 0 ? all : all.substring(0, split);
            String body = split < 0 ? "" : all.substring(split + 4);
            int status = Integer.parseInt(head.substring(9, 12));
            return new Response(status, head, body);
        }
    }
}
