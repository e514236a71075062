package dev.explainable.serving.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;

/**
 * A real OpenTelemetry Collector (tools/otel/build-otel-collector.sh: the OTLP receiver and the debug exporter, built
 * from the Go module proxy) on free loopback ports, printing every span it receives to a file, which {@link #spans()}
 * parses: the tests' trace sink.
 */
public final class OtlpCollector implements AutoCloseable {

    /** One received span: its ids, name, attributes (as the debug exporter prints them, e.g. {@code Int(4)}) and the trace ids it links to. */
    public record ReceivedSpan(
            String traceId,
            String parentId,
            String id,
            String name,
            Map<String, String> attributes,
            List<String> links) {}

    private final Process process;
    private final Path out;
    private final int grpcPort;

    private OtlpCollector(Process process, Path out, int grpcPort) {
        this.process = process;
        this.out = out;
        this.grpcPort = grpcPort;
    }

    /** Builds (first use, cached) and starts a collector; its files under {@code work}. */
    public static OtlpCollector start(Path work) throws Exception {
        List<String> built = LocalProcesses.build("tools/otel/build-otel-collector.sh", "the OpenTelemetry Collector");
        Path binary = Path.of(built.get(built.size() - 1));
        Files.createDirectories(work);
        int grpc = LocalProcesses.freePort("127.0.0.1");
        int http = LocalProcesses.freePort("127.0.0.1");
        int health = LocalProcesses.freePort("127.0.0.1");
        Path spans = work.resolve("spans.txt");
        Path config = work.resolve("collector.yaml");
        Files.writeString(config, """
                receivers:
                  otlp:
                    protocols:
                      grpc: {endpoint: "127.0.0.1:%d"}
                      http: {endpoint: "127.0.0.1:%d"}
                exporters:
                  debug: {verbosity: detailed, use_internal_logger: false, output_paths: ["%s"]}
                service:
                  telemetry:
                    metrics: {level: none}
                  pipelines:
                    traces: {receivers: [otlp], exporters: [debug]}
                """.formatted(grpc, http, spans));
        Files.writeString(spans, "");
        Process p = new ProcessBuilder(binary.toString(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("collector.log").toFile())
                .start();
        OtlpCollector c = new OtlpCollector(p, spans, grpc);
        // ready when its HTTP receiver answers (405 to a GET of the traces path)
        Awaitility.await("the collector's OTLP receiver")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .failFast(() -> !p.isAlive())
                .until(() -> listening(http));
        return c;
    }

    private static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The OTLP/gRPC endpoint, as {@code quarkus.otel.exporter.otlp.endpoint} takes it. */
    public String grpcEndpoint() {
        return "http://127.0.0.1:" + grpcPort;
    }

    /** Every span received so far. */
    public List<ReceivedSpan> spans() throws IOException {
        List<ReceivedSpan> spans = new ArrayList<>();
        String traceId = null, parentId = null, id = null, name = null;
        Map<String, String> attributes = new LinkedHashMap<>();
        List<String> links = new ArrayList<>();
        boolean inAttributes = false;
        boolean inLinks = false;
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (line.startsWith("Span #")) {
                if (traceId != null) {
                    spans.add(new ReceivedSpan(traceId, parentId, id, name, attributes, links));
                }
                traceId = parentId = id = name = null;
                attributes = new LinkedHashMap<>();
                links = new ArrayList<>();
                inAttributes = false;
                inLinks = false;
            } else if (line.startsWith("    Trace ID")) {
                traceId = value(line);
            } else if (line.startsWith("    Parent ID")) {
                parentId = value(line);
            } else if (line.startsWith("    ID ")) {
                id = value(line);
            } else if (line.startsWith("    Name ")) {
                name = value(line);
            } else if (line.equals("Attributes:")) {
                inAttributes = true;
            } else if (line.equals("Links:")) {
                inLinks = true;
            } else if (inLinks && line.startsWith("     -> Trace ID: ")) {
                links.add(line.substring("     -> Trace ID: ".length()).trim());
            } else if (inAttributes && line.startsWith("     -> ")) {
                String kv = line.substring("     -> ".length());
                int colon = kv.indexOf(": ");
                if (colon > 0) {
                    attributes.put(kv.substring(0, colon), kv.substring(colon + 2));
                }
            } else if (!line.startsWith(" ") && !line.startsWith("SpanLink")) {
                inAttributes = false;
                inLinks = false;
                if ((line.startsWith("ResourceSpans") || line.startsWith("Traces")) && traceId != null) {
                    spans.add(new ReceivedSpan(traceId, parentId, id, name, attributes, links));
                    traceId = null;
                }
            }
        }
        if (traceId != null) {
            spans.add(new ReceivedSpan(traceId, parentId, id, name, attributes, links));
        }
        return spans;
    }

    private static String value(String line) {
        int colon = line.indexOf(": ");
        return colon < 0 ? "" : line.substring(colon + 2).trim();
    }

    @Override
    public void close() {
        process.destroy();
    }
}
