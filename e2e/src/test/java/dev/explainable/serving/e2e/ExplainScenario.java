package dev.explainable.serving.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.testkit.ControlPlane;
import dev.explainable.serving.testkit.HelmChart;
import dev.explainable.serving.testkit.RetryOnConflict;
import dev.explainable.serving.testkit.ServiceAccountTokens;

/**
 * The end-to-end scenario, the same on every cluster: {@code helm install} of the chart with the locally built
 * images, {@code examples/tabular.yaml} applied as written (its model on a PVC), a second version added, both
 * {@code :explain} paths and {@code :predict} through the Services, Vertex's URL through the model's Service with a
 * {@code deployedModelId} naming the other version (forwarded by the default version's runtime to that version's
 * Service, found by the cluster's DNS), then a default switch and a metadata rollout while a load generator calls
 * both the model's and the version's Service, with zero failed requests.
 */
final class ExplainScenario {

    static final Path ROOT = ControlPlane.repoRoot();
    static final String NS = "demo";
    static final String TAG = "0.1.0-SNAPSHOT";
    static final String INSTANCES = "{\"instances\": [[0.3, -1.2, 2.0, 0.7, -0.4]]}";
    static final String VERTEX = "/v1/projects/demo/locations/us-central1/endpoints/iris:explain";
    /** Limits of the load generator: it stops by itself even if the scenario hangs or fails. */
    static final Duration LOAD_LIMIT = Duration.ofMinutes(7);

    static final int MAX_REQUESTS = 200_000;
    static final ObjectMapper JSON = new ObjectMapper();

    /** How requests reach a Service of the cluster, with {@code Authorization: Bearer <token>} (none if null). */
    interface Caller {
        Reply post(String service, String path, String body, String token) throws Exception;
    }

    record Reply(int statusCode, String body) {}

    private final KubernetesClient client;
    private final Caller caller;
    private String token;

    ExplainScenario(KubernetesClient client, Caller caller) {
        this.client = client;
        this.caller = caller;
    }

    /**
     * The chart as a user installs it: the operator in es-system, watching only the model's namespace (which must
     * exist first: the chart puts its Role there).
     */
    static void helmInstall(Path kubeconfig) throws Exception {
        Path helm = ControlPlane.binaries().resolve("helm");
        Process p = new ProcessBuilder(
                        helm.toString(),
                        "--kubeconfig",
                        kubeconfig.toString(),
                        "install",
                        "es",
                        HelmChart.dir().toString(),
                        "--namespace",
                        HelmChart.NAMESPACE,
                        "--create-namespace",
                        "--wait",
                        "--timeout",
                        "5m",
                        "--set",
                        "image.repository=explainable-serving/operator",
                        "--set",
                        "image.tag=" + TAG,
                        "--set",
                        "image.pullPolicy=Never",
                        "--set",
                        "runtime.image=explainable-serving/runtime:" + TAG,
                        "--set",
                        "runtime.imagePullPolicy=Never",
                        // versions that name no resources (a Vertex deployedModel without a machine type) fit the
                        // 2-CPU node beside the others
                        "--set",
                        "runtime.defaultCpu=250m",
                        "--set",
                        "runtime.defaultMemory=1Gi",
                        // the monitoring scenario waits for the attribution alerts to reach the status
                        "--set",
                        "metrics.attributionPollInterval=3s",
                        "--set",
                        "watchNamespaces={" + NS + "}")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(6, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("helm install: " + out).isZero();
    }

    /**
     * A caller as a team grants one: the ServiceAccount {@code scorer} in the models' namespace, a Role allowing
     * explain, predict and get on the scenario's models, bound to the namespace's ServiceAccounts as a group (a
     * binding to a group must work), and a token for it as {@code kubectl create token} gets one (TokenRequest, the
     * API server's audience). Every later call carries it.
     */
    String grantCaller() {
        client.serviceAccounts()
                .inNamespace(NS)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("scorer")
                        .endMetadata()
                        .build())
                .create();
        List<String> models = List.of("iris", GcsModelScenario.SERVED, MonitoringScenario.MODEL);
        client.rbac()
                .roles()
                .inNamespace(NS)
                .resource(new RoleBuilder()
                        .withNewMetadata()
                        .withName("model-callers")
                        .endMetadata()
                        .addNewRule()
                        .withApiGroups("serving.explainable.dev")
                        .withResources("explainablemodels/explain", "explainablemodels/predict")
                        .withResourceNames(models)
                        .withVerbs("create")
                        .endRule()
                        .addNewRule()
                        .withApiGroups("serving.explainable.dev")
                        .withResources("explainablemodels")
                        .withResourceNames(models)
                        .withVerbs("get")
                        .endRule()
                        .build())
                .create();
        client.rbac()
                .roleBindings()
                .inNamespace(NS)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("model-callers")
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "Role", "model-callers")
                        .addNewSubject()
                        .withKind("Group")
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withName("system:serviceaccounts:" + NS)
                        .endSubject()
                        .build())
                .create();
        token = ServiceAccountTokens.request(client, NS, "scorer", null);
        return token;
    }

    /** A call with the granted caller's token. */
    Reply post(String service, String path, String body) throws Exception {
        return caller.post(service, path, body, token);
    }

    /** The models' namespace, before {@link #helmInstall} (which grants the operator its Role there). */
    void createNamespace() {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(NS)
                        .endMetadata()
                        .build())
                .create();
    }

    /** {@code models-claim}: a hostPath volume at {@code hostDir} on the node, holding {@code iris/1}. */
    void createModelsClaim(String hostDir) {
        client.persistentVolumes()
                .resource(new PersistentVolumeBuilder()
                        .withNewMetadata()
                        .withName("models")
                        .endMetadata()
                        .withNewSpec()
                        .withStorageClassName("")
                        .withAccessModes("ReadOnlyMany")
                        .addToCapacity("storage", new Quantity("1Gi"))
                        .withNewHostPath()
                        .withPath(hostDir)
                        .withType("Directory")
                        .endHostPath()
                        .endSpec()
                        .build())
                .create();
        client.persistentVolumeClaims()
                .inNamespace(NS)
                .resource(new PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withName("models-claim")
                        .endMetadata()
                        .withNewSpec()
                        .withStorageClassName("")
                        .withVolumeName("models")
                        .withAccessModes("ReadOnlyMany")
                        .withNewResources()
                        .addToRequests("storage", new Quantity("1Gi"))
                        .endResources()
                        .endSpec()
                        .build())
                .create();
    }

    /** Copies the bundled tabular classifier to {@code dir}/iris/1, readable by the runtime's non-root user. */
    static Path stageModel(Path dir) throws Exception {
        Path target = dir.resolve("iris/1");
        Path source = ROOT.resolve("runtime/src/test/resources/models/tabular_classifier");
        try (var files = Files.walk(source)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path t = target.resolve(source.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        LocalNode.run("chmod", "-R", "a+rX", dir.toString());
        return dir;
    }

    private static JsonNode json(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private Resource<ExplainableModel> iris() {
        return client.resources(ExplainableModel.class).inNamespace(NS).withName("iris");
    }

    void run() throws Exception {
        try (InputStream example = Files.newInputStream(ROOT.resolve("examples/tabular.yaml"))) {
            client.load(example).inNamespace(NS).create();
        }
        // A second version; both at 250m CPU so that a rollout's surge pod fits next to them on a 2-CPU node.
        RetryOnConflict.edit(iris(), m -> {
            VersionSpec v1 = m.getSpec().getVersions().get(0);
            v1.getResources().setCpu("250m");
            VersionSpec v2 = new VersionSpec();
            v2.setName("v2");
            v2.setModelUri(v1.getModelUri());
            v2.getResources().setCpu("250m");
            v2.getResources().setMemory("1Gi");
            m.getSpec().getVersions().add(v2);
        });
        await().atMost(Duration.ofMinutes(5)).ignoreExceptions().untilAsserted(() -> {
            ExplainableModel m = iris().get();
            assertThat(m.getStatus().getVersionsReady()).isEqualTo("2/2");
            assertThat(client.pods().inNamespace(NS).list().getItems()).hasSize(2);
        });
        // kube-proxy programs each Service's rules on its own schedule, and until it has, the node answers "network
        // unreachable" for that ClusterIP (a CI run met it on v2's Service): wait until every Service answers
        for (String[] target :
                new String[][] {{"iris", ""}, {"iris-v1", "/versions/v1"}, {"iris-v2", "/versions/v2"}}) {
            await().atMost(Duration.ofSeconds(60))
                    .ignoreExceptions()
                    .until(() -> post(target[0], "/v1/projects/demo/models/iris" + target[1] + ":explain", INSTANCES)
                                    .statusCode()
                            == 200);
        }

        // without a token, or with one the API server does not know: 401 in the contract's shape, nothing explained
        for (String bad : new String[] {null, "not-a-token"}) {
            Reply refused = caller.post("iris", "/v1/projects/demo/models/iris:explain", INSTANCES, bad);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
            assertThat(refused.body()).contains("\"error\"").doesNotContain("attributions");
        }

        // model -> default version; model/version -> that version; predict
        Reply viaModel = post("iris", "/v1/projects/demo/models/iris:explain", INSTANCES);
        assertThat(viaModel.statusCode()).as(viaModel.body()).isEqualTo(200);
        assertThat(viaModel.body()).contains("attributions_by_label").contains("\"label_name\":\"setosa\"");
        Reply v2 = post("iris-v2", "/v1/projects/demo/models/iris/versions/v2:explain", INSTANCES);
        assertThat(v2.statusCode()).as(v2.body()).isEqualTo(200);
        assertThat(post("iris-v1", "/v1/projects/demo/models/iris/versions/v2:explain", INSTANCES)
                        .statusCode())
                .as("a version's pods answer only for their version")
                .isEqualTo(404);
        Reply predict = post("iris", "/v1/projects/demo/models/iris:predict", INSTANCES);
        assertThat(predict.body()).contains("predictions");

        // Vertex's URLs through the model's Service: the default version answers; a deployedModelId naming another
        // version is forwarded by the default version's runtime to that version's Service, by its name
        // (http://iris-v2.demo.svc, resolved by the cluster's DNS through the pods' search list), once the model's
        // versions ConfigMap mounted in its pod lists it; one naming a version the model does not have is a clear 404
        // in Google's error shape, without a forward
        long forwarding = System.nanoTime();
        Reply byDefault = post("iris", VERTEX, INSTANCES);
        assertThat(byDefault.statusCode()).as(byDefault.body()).isEqualTo(200);
        assertThat(byDefault.body()).contains("\"deployedModelId\":\"v1\"").contains("featureAttributions");
        assertForwarded("v2");
        Reply missing = post("iris", VERTEX, vertexRequest("v9"));
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(404);
        assertThat(missing.body()).contains("NOT_FOUND").contains("is not a version of model 'iris'");
        System.out.printf(
                "Vertex explain by the model's Service, forwarded to v2 and refused for v9: %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - forwarding));

        // load on both the model's Service and v1's while the default switches and v1 rolls to new metadata;
        // bounded in time and count, and stopped whatever happens below
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        long loadDeadline = System.nanoTime() + LOAD_LIMIT.toNanos();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> load = new ArrayList<>();
        for (String[] target : new String[][] {
            {"iris", "/v1/projects/demo/models/iris:explain"},
            {"iris-v1", "/v1/projects/demo/models/iris/versions/v1:explain"}
        }) {
            Thread t = new Thread(
                    () -> {
                        while (running.get()
                                && System.nanoTime() < loadDeadline
                                && sent.incrementAndGet() <= MAX_REQUESTS) {
                            try {
                                Reply r = post(target[0], target[1], INSTANCES);
                                if (r.statusCode() == 200) {
                                    ok.incrementAndGet();
                                } else {
                                    failures.add(target[0] + ": " + r.statusCode() + " " + r.body());
                                }
                            } catch (Exception e) {
                                failures.add(target[0] + ": " + e);
                            }
                        }
                    },
                    "load-" + target[0]);
            t.setDaemon(true);
            t.start();
            load.add(t);
        }
        try {
            Thread.sleep(2000);
            switchDefaultAndRollV1();
            Thread.sleep(3000);
            assertThat(load)
                    .as("the load ran through the whole rollout (not stopped by its time or count limit)")
                    .allMatch(Thread::isAlive);
        } finally {
            running.set(false);
            for (Thread t : load) {
                t.join(TimeUnit.SECONDS.toMillis(40));
            }
        }
        System.out.printf(
                "load during default switch and v1 rollout: %d requests ok, %d failed%n", ok.get(), failures.size());
        assertThat(failures).as("failed requests while rolling").isEmpty();
        assertThat(ok.get()).isGreaterThan(20);
        // the model's Service now reaches v2; the new v1 pod explains with the new baseline (0.5 instead of 0)
        assertThat(post("iris", "/v1/projects/demo/models/iris:explain", INSTANCES)
                        .body())
                .isEqualTo(post("iris-v2", "/v1/projects/demo/models/iris/versions/v2:explain", INSTANCES)
                        .body());
        Reply rolled = post("iris-v1", "/v1/projects/demo/models/iris/versions/v1:explain", INSTANCES);
        assertThat(rolled.statusCode()).isEqualTo(200);
        assertThat(rolled.body()).isNotEqualTo(viaModel.body());
        // and the other way round: the default is v2 now, whose runtime forwards v1's requests to the new v1 pod,
        // which answers with its own baseline
        long reverse = System.nanoTime();
        assertForwarded("v1");
        assertThat(post("iris", VERTEX, vertexRequest("v1")).body())
                .isNotEqualTo(post("iris", VERTEX, INSTANCES).body());
        System.out.printf(
                "Vertex explain by the model's Service forwarded to v1 after the rollout: %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reverse));
        // the status follows the rollout's last Deployment update (eventually, not in the same instant)
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        assertThat(iris().get().getStatus().getVersionsReady()).isEqualTo("2/2"));
    }

    static String vertexRequest(String deployedModelId) {
        return "{\"instances\": [[0.3, -1.2, 2.0, 0.7, -0.4]], \"deployedModelId\": \"" + deployedModelId + "\"}";
    }

    /**
     * A Vertex explain to the model's Service naming a version that is not the default reaches that version: 200 with
     * its {@code deployedModelId}, and the same answer (attributions, baselines, predictions) as that version's own
     * Service gives.
     */
    private void assertForwarded(String version) throws Exception {
        Reply forwarded = post("iris", VERTEX, vertexRequest(version));
        assertThat(forwarded.statusCode()).as(forwarded.body()).isEqualTo(200);
        assertThat(forwarded.body())
                .contains("\"deployedModelId\":\"" + version + "\"")
                .contains("featureAttributions");
        Reply own = post("iris-" + version, VERTEX, INSTANCES);
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        assertThat(forwarded.body()).isEqualTo(own.body());
    }

    /** The default moves to v2 (the model's Service follows), then v1's metadata changes (v1 rolls to a new pod). */
    private void switchDefaultAndRollV1() {
        RetryOnConflict.edit(iris(), x -> x.getSpec().setDefaultVersion("v2"));
        await().atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(client.services()
                                .inNamespace(NS)
                                .withName("iris")
                                .get()
                                .getSpec()
                                .getSelector())
                        .containsEntry("serving.explainable.dev/version", "v2"));
        String before = client.apps()
                .replicaSets()
                .inNamespace(NS)
                .withLabel("serving.explainable.dev/version", "v1")
                .list()
                .getItems()
                .toString();
        RetryOnConflict.edit(iris(), x -> x.getSpec().getVersions().get(0).setMetadata(json("""
                    {"inputs": {"features": {"input_tensor_name": "serving_default_features:0", "input_baselines": [0.5]}},
                     "outputs": {"probabilities": {"output_tensor_name": "StatefulPartitionedCall_1:0"}},
                     "framework": "tensorflow"}""")));
        await().atMost(Duration.ofMinutes(4)).untilAsserted(() -> {
            var sets = client.apps()
                    .replicaSets()
                    .inNamespace(NS)
                    .withLabel("serving.explainable.dev/version", "v1")
                    .list()
                    .getItems();
            assertThat(sets)
                    .anyMatch(rs -> rs.getStatus().getReadyReplicas() != null
                            && rs.getStatus().getReadyReplicas() == 1
                            && !before.contains(rs.getMetadata().getName()));
            // the old pod is gone, not just terminating
            assertThat(client.pods()
                            .inNamespace(NS)
                            .withLabel("serving.explainable.dev/version", "v1")
                            .list()
                            .getItems())
                    .hasSize(1);
        });
    }
}
