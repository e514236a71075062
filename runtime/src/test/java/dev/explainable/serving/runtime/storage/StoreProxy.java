package dev.explainable.serving.runtime.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A loopback HTTP proxy in front of one of the real object-store servers: it forwards every request as it came and
 * records it (the tests count listing pages and the bytes of answers through it), and can stall the answers to chosen requests — their
 * status and headers go out, then the first bytes of the body, then nothing while the connection stays open, as a
 * store or a network path that hangs mid-download.
 */
final class StoreProxy implements AutoCloseable {

    /** Request headers the JDK's client sets itself. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");
    /** Response headers the proxy's own server sets. */
    private static final Set<String> HOP = Set.of("connection", "content-length", "transfer-encoding", "date");

    private final String upstream;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "store-proxy");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicLong bodyBytes = new AtomicLong();
    private volatile Predicate<String> stall = r -> false;
    private volatile int bytesBeforeStall;
    private volatile long firstStall;

    /** A proxy forwarding to {@code upstream} ({@code http://127.0.0.1:port}). */
    StoreProxy(String upstream) {
        this.upstream = upstream;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::forward);
        server.setExecutor(threads);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every request forwarded so far, as {@code METHOD path?query}. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    /** The bytes of the answers' bodies sent on to the clients so far (those a ranged read asks for, or all). */
    long bodyBytes() {
        return bodyBytes.get();
    }

    long count(Predicate<String> which) {
        return requests.stream().filter(which).count();
    }

    /**
     * From now on, answers to requests matching {@code which} send their headers and the first {@code bytes} bytes
     * of the body, then hang until the proxy is closed.
     */
    void stall(Predicate<String> which, int bytes) {
        this.bytesBeforeStall = bytes;
        this.stall = which;
    }

    /** When the first stalled answer stopped sending ({@link System#nanoTime()}); 0 before. */
    long firstStallNanos() {
        return firstStall;
    }

    private void forward(HttpExchange exchange) throws IOException {
        String pathAndQuery = exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null
                        ? ""
                        : "?" + exchange.getRequestURI().getRawQuery());
        String request = exchange.getRequestMethod() + " " + pathAndQuery;
        requests.add(request);
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + pathAndQuery))
                    .method(
                            exchange.getRequestMethod(),
                            body.length == 0
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> b.header(name, v));
                }
            });
            HttpResponse<InputStream> answer = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            answer.headers().map().forEach((name, values) -> {
                if (!HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            long length = answer.headers().firstValueAsLong("content-length").orElse(-1);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(answer.statusCode(), head || length == 0 ? -1 : length < 0 ? 0 : length);
            try (InputStream in = answer.body();
                    OutputStream out = exchange.getResponseBody()) {
                if (stall.test(request)) {
                    out.write(in.readNBytes(bytesBeforeStall));
                    out.flush();
                    synchronized (this) {
                        if (firstStall == 0) {
                            firstStall = System.nanoTime();
                        }
                    }
                    closed.await();
                    return;
                }
                byte[] buffer = new byte[16 * 1024];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    bodyBytes.addAndGet(n);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client went away (as a fetcher that gave up on a stalled download does)
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
