package dev.explainable.serving.operator.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.testkit.AuditedCall;
import dev.explainable.serving.testkit.ControlPlane;
import dev.explainable.serving.testkit.LocalProcesses;
import dev.explainable.serving.testkit.RetryOnConflict;

/**
 * The operator as it ships (target/quarkus-app, its own JVM) against the real control plane with 1,000
 * ExplainableModels: PRINTS how long until every object exists, until every model is Ready (kwok makes the pods
 * ready), how long a metadata change takes to roll over all of them; the operator's heap after a GC and its RSS; its
 * API requests per model (the API server's audit log); the size of its /q/metrics, also after the models are deleted.
 * Asserts only that the phases complete. Not part of {@code verify}; run with
 * {@code ./mvnw -pl operator package -DskipTests && ./mvnw -pl operator test -Dtest=OperatorScaleBenchmark
 * -Dbenchmark=operator-scale} (optionally {@code -Dbenchmark.models=N -Dbenchmark.heap=512m}).
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "operator-scale")
class OperatorScaleBenchmark {

    static final int MODELS = Integer.getInteger("benchmark.models", 1000);
    static final int NAMESPACES = 10;
    static final String HEAP = System.getProperty("benchmark.heap", "512m");
    static final String OPERATOR_USER = "benchmark-operator";
    static final Duration PHASE_LIMIT = Duration.ofMinutes(15);

    ControlPlane cp;
    KubernetesClient client;
    Process operator;
    int metricsPort;

    @Test
    void thousandModels() throws Exception {
        Path app = ControlPlane.repoRoot().resolve("operator/target/quarkus-app/quarkus-run.jar");
        assertThat(app)
                .as("build the operator first: ./mvnw -pl operator package -DskipTests")
                .exists();
        cp = ControlPlane.start();
        try {
            client = cp.client();
            cp.installCrd();
            OperatorOnControlPlane.installJobCrd(cp);
            // room for every pod twice over (110 pods a node): a rollout surges one new pod per model before the
            // old one goes
            for (int i = 1; i <= 2 * MODELS / 100 + 4; i++) {
                cp.addNode("node-" + i, 0);
            }
            List<String> namespaces = new ArrayList<>();
            for (int i = 0; i < NAMESPACES; i++) {
                String ns = "team-" + i;
                client.namespaces()
                        .resource(new NamespaceBuilder()
                                .withNewMetadata()
                                .withName(ns)
                                .endMetadata()
                                .build())
                        .create();
                namespaces.add(ns);
            }
            operator = startOperator(app);
            Map<String, String> figures = new TreeMap<>() {
                @Override
                public String put(String key, String value) {
                    System.out.println("[benchmark] " + key.substring(2) + ": " + value); // as it goes
                    return super.put(key, value);
                }
            };
            figures.put(
                    "0 setup",
                    MODELS + " models, " + NAMESPACES + " namespaces, operator -Xmx" + HEAP + ", "
                            + Runtime.getRuntime().availableProcessors() + " cores");

            long t0 = System.nanoTime();
            parallel(
                    MODELS,
                    i -> client.resource(model(namespaces.get(i % NAMESPACES), "m" + i))
                            .create());
            figures.put("1 create requests sent", seconds(t0));
            awaitPhase(
                    "all objects exist",
                    () -> deployments() == MODELS
                            && client.services()
                                            .inAnyNamespace()
                                            .withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
                                            .list()
                                            .getItems()
                                            .size()
                                    == 2 * MODELS
                            && client.configMaps()
                                            .inAnyNamespace()
                                            .withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
                                            .list()
                                            .getItems()
                                            .size()
                                    == 2 * MODELS);
            figures.put("2 all objects exist", seconds(t0));
            awaitPhase("all Ready", () -> ready() == MODELS);
            figures.put("3 all Ready", seconds(t0));
            int createCalls = operatorCalls().size();
            figures.put("4 API requests per model to create", perModel(operatorCalls()));

            long t1 = System.nanoTime();
            parallel(
                    MODELS,
                    i -> RetryOnConflict.edit(
                            client.resources(ExplainableModel.class)
                                    .inNamespace(namespaces.get(i % NAMESPACES))
                                    .withName("m" + i),
                            m -> Models.withMetadata(
                                    m.getSpec().getVersions().get(0),
                                    "{\"inputs\": {\"x\": "
                                            + "{\"input_tensor_name\": \"x:0\"}}, \"outputs\": {\"y\": {\"output_tensor_name\": "
                                            + "\"y:0\"}}, \"framework\": \"tensorflow\"}")));
            figures.put("5 metadata edits sent", seconds(t1));
            awaitPhase(
                    "new config hash on every Deployment",
                    () -> client
                                    .apps()
                                    .deployments()
                                    .inAnyNamespace()
                                    .withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
                                    .list()
                                    .getItems()
                                    .stream()
                                    .filter(d -> d.getMetadata().getGeneration() > 1)
                                    .count()
                            == MODELS);
            figures.put("6 new config on all Deployments", seconds(t1));
            awaitPhase("all Ready after the change", () -> ready() == MODELS);
            figures.put("7 all Ready after the change", seconds(t1));
            List<AuditedCall> all = operatorCalls();
            figures.put(
                    "8 API requests per model to roll",
                    String.format("%.1f", (all.size() - createCalls) / (double) MODELS));

            Thread.sleep(10_000); // idle: what the operator holds, not what it is building
            figures.put("9 operator heap after GC (MB)", String.valueOf(heapAfterGc()));
            figures.put("9 operator RSS now / peak (MB)", rss());
            String metrics = metrics();
            figures.put(
                    "a /q/metrics with the models",
                    metrics.length() / 1024 + " KiB, " + metrics.lines().count() + " lines");
            figures.put("b operator calls by verb and resource", byVerb(all));

            long t2 = System.nanoTime();
            for (String ns : namespaces) {
                client.resources(ExplainableModel.class).inNamespace(ns).delete();
            }
            awaitPhase(
                    "models gone",
                    () -> client.resources(ExplainableModel.class)
                            .inAnyNamespace()
                            .list()
                            .getItems()
                            .isEmpty());
            Thread.sleep(10_000);
            figures.put("c models deleted", seconds(t2));
            String after = metrics();
            figures.put(
                    "d /q/metrics after deleting them",
                    after.length() / 1024 + " KiB, " + after.lines().count() + " lines");
            figures.put("e operator heap after GC with no models (MB)", String.valueOf(heapAfterGc()));
            figures.put(
                    "e operator reconciliations (JOSDK counters)",
                    metrics.lines()
                            .filter(l -> l.startsWith("operator_sdk_reconciliations_") && !l.startsWith("#"))
                            .collect(Collectors.joining("; ")));

            System.out.println("=== OperatorScaleBenchmark (" + java.time.Instant.now() + ") ===");
            figures.forEach((k, v) -> System.out.println(k.substring(2) + ": " + v));
            Files.writeString(
                    ControlPlane.repoRoot().resolve("operator/target/operator-scale-benchmark.txt"),
                    figures.entrySet().stream()
                                    .map(e -> e.getKey().substring(2) + ": " + e.getValue())
                                    .collect(Collectors.joining("\n"))
                            + "\n");
        } finally {
            if (operator != null) {
                operator.destroy();
                operator.waitFor(20, TimeUnit.SECONDS);
            }
            cp.close();
        }
    }

    /** The shipped operator in its own JVM, calling the API server as {@link #OPERATOR_USER} (impersonated). */
    Process startOperator(Path app) throws Exception {
        metricsPort = LocalProcesses.freePort();
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx" + HEAP, "-jar", app.toString())
                .redirectErrorStream(true)
                .redirectOutput(cp.work().resolve("operator.log").toFile());
        Map<String, String> env = pb.environment();
        env.put("KUBECONFIG", cp.kubeconfig().toString());
        env.put("KUBERNETES_IMPERSONATE_USERNAME", OPERATOR_USER);
        env.put("KUBERNETES_IMPERSONATE_GROUP", "system:masters");
        env.put("QUARKUS_KUBERNETES_CLIENT_TRUST_CERTS", "true");
        env.put("QUARKUS_HTTP_PORT", String.valueOf(metricsPort));
        Process p = pb.start();
        awaitPhase("operator started", () -> {
            try {
                return metrics().contains("jvm_memory_used_bytes");
            } catch (Exception e) {
                return false;
            }
        });
        return p;
    }

    static ExplainableModel model(String ns, String name) {
        VersionSpec v = OperatorOnControlPlaneTest.version("v1", 0);
        v.getResources().setCpu("10m");
        v.getResources().setMemory("32Mi");
        ExplainableModel m = Models.model(name, "v1", v);
        m.getMetadata().setNamespace(ns);
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        return m;
    }

    long deployments() {
        return client.apps()
                .deployments()
                .inAnyNamespace()
                .withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
                .list()
                .getItems()
                .size();
    }

    long ready() {
        return client.resources(ExplainableModel.class).inAnyNamespace().list().getItems().stream()
                .filter(m -> m.getStatus() != null
                        && m.getMetadata().getGeneration().equals(m.getStatus().getObservedGeneration())
                        && m.getStatus().getConditions().stream()
                                .anyMatch(c -> c.getType().equals("Ready")
                                        && c.getStatus().equals("True")))
                .count();
    }

    List<AuditedCall> operatorCalls() throws IOException {
        return cp.auditedCalls(OPERATOR_USER);
    }

    static String perModel(List<AuditedCall> calls) {
        return String.format("%.1f (%d)", calls.size() / (double) MODELS, calls.size());
    }

    static String byVerb(List<AuditedCall> calls) {
        return calls.stream()
                .collect(Collectors.groupingBy(
                        c -> c.verb() + " " + c.rbacResource(), TreeMap::new, Collectors.counting()))
                .toString();
    }

    String metrics() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/q/metrics"))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    /** Heap in use after a full GC (jcmd GC.run), from the operator's own jvm_memory_used_bytes. */
    long heapAfterGc() throws Exception {
        Process gc = new ProcessBuilder("jcmd", String.valueOf(operator.pid()), "GC.run")
                .redirectErrorStream(true)
                .start();
        gc.getInputStream().readAllBytes();
        gc.waitFor(60, TimeUnit.SECONDS);
        double bytes = metrics()
                .lines()
                .filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
        return Math.round(bytes / 1024 / 1024);
    }

    String rss() throws IOException {
        Map<String, String> status = Files.readAllLines(Path.of("/proc/" + operator.pid() + "/status")).stream()
                .filter(l -> l.startsWith("VmRSS") || l.startsWith("VmHWM"))
                .collect(Collectors.toMap(l -> l.substring(0, 5), l -> l.replaceAll("[^0-9]", "")));
        return Long.parseLong(status.get("VmRSS")) / 1024 + " / " + Long.parseLong(status.get("VmHWM")) / 1024;
    }

    static String seconds(long since) {
        return String.format("%.1f s", (System.nanoTime() - since) / 1e9);
    }

    void awaitPhase(String phase, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + PHASE_LIMIT.toNanos();
        while (!done.getAsBoolean()) {
            if (operator != null && !operator.isAlive()) {
                throw new AssertionError("the operator exited during " + phase + "; log in " + cp.work());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(phase + " not reached in " + PHASE_LIMIT);
            }
            Thread.sleep(2000);
        }
    }

    interface IndexedTask {
        void run(int i) throws Exception;
    }

    static void parallel(int n, IndexedTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    task.run(index);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
