package dev.explainable.serving.operator.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Pod;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.management.ml.MlRoutes;
import dev.explainable.serving.testkit.Gcloud;

/**
 * Google's gcloud, unchanged, deploying with AI Platform's verbs against the operator's management API on a real
 * control plane, the operator running: {@code ai-platform models create}, {@code beta ai-platform versions create}
 * (which returns once the version is Ready), {@code set-default}, {@code list}, {@code describe}, {@code delete};
 * the ExplainableModel holds exactly what the commands said. The calls act with the caller's Kubernetes token: a
 * ServiceAccount that may only read gets PERMISSION_DENIED and nothing changes. A version whose model fetch fails
 * ends its operation with the reason, and gcloud exits 1 with it. The API runs on a plain Vert.x server here (in the
 * operator it is the Quarkus HTTP server's router), over the operator's client configuration. Its control plane is
 * the class's own, its kwok node without the kwok taint: versions made by gcloud carry no toleration.
 */
class MlManagementOnControlPlaneTest {

    @RegisterExtension
    static final OperatorOnControlPlane cluster =
            OperatorOnControlPlane.own(TestConfig.of(), cp -> cp.addNode("node-1", 0, false));

    static final ObjectMapper JSON = new ObjectMapper();
    static Vertx vertx;
    static HttpServer server;
    static Gcloud gcloud;
    static String ns;
    static Path deployer;
    static Path reader;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Gcloud.present(), "gcloud is not on PATH: the management API's gcloud test skipped");
        vertx = Vertx.vertx();
        server = ManagementCallers.serve(vertx, cluster.client(), MlRoutes::install);
        ns = cluster.namespace("ml-deploy");
        deployer = token("deployer", List.of("get", "list", "watch", "create", "update", "patch", "delete"));
        reader = token("reader", List.of("get", "list"));
        gcloud = Gcloud.withNewConfig()
                .set("core/project", ns)
                .set("api_endpoint_overrides/ml", "http://127.0.0.1:" + server.actualPort() + "/")
                .set("ai_platform/region", "global")
                .set("auth/disable_credentials", "false");
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** ServiceAccount {@code name} of the namespace, allowed {@code verbs} on ExplainableModels; its token's file. */
    static Path token(String name, List<String> verbs) throws Exception {
        return ManagementCallers.token(
                cluster.client(),
                ns,
                name,
                List.of(ManagementCallers.rule("serving.explainable.dev", List.of("explainablemodels"), verbs)));
    }

    static Gcloud.Run as(Path token, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--access-token-file=" + token);
        return gcloud.run(all, 120);
    }

    static Gcloud.Run ok(Gcloud.Run r) {
        assertThat(r.exit())
                .as(
                        "gcloud: %s; the namespace's models: %s",
                        r.err(),
                        io.fabric8.kubernetes.client.utils.Serialization.asYaml(cluster.client()
                                .resources(ExplainableModel.class)
                                .inNamespace(ns)
                                .list()
                                .getItems()))
                .isZero();
        return r;
    }

    static ExplainableModel model(String name) {
        return cluster.client()
                .resources(ExplainableModel.class)
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    static VersionSpec version(ExplainableModel m, String name) {
        return m.getSpec().getVersions().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aiPlatformsVerbsLeaveTheModelAsTheCommandsSaid() throws Exception {
        ok(as(deployer, "ai-platform", "models", "create", "iris", "--regions", "us-central1"));
        assertThat(model("iris").getSpec().getVersions()).isEmpty();

        ok(as(
                deployer,
                "beta",
                "ai-platform",
                "versions",
                "create",
                "v1",
                "--model",
                "iris",
                "--origin",
                "gs://models-bucket/iris/1",
                "--framework",
                "tensorflow",
                "--runtime-version",
                "2.11",
                "--explanation-method",
                "integrated-gradients",
                "--num-integral-steps",
                "25"));
        // returned once v1 is Ready: its pods ran (kwok's nodes), the status says Available
        ExplainableModel m = model("iris");
        VersionSpec v1 = version(m, "v1");
        assertThat(v1.getModelUri()).isEqualTo("gs://models-bucket/iris/1");
        assertThat(v1.getExplanation().getMethod()).isEqualTo(ExplanationSpec.Method.integratedGradients);
        assertThat(v1.getExplanation().getIntegralSteps()).isEqualTo(25);
        assertThat(m.getSpec().getDefaultVersion())
                .as("the first version is the default")
                .isEqualTo("v1");
        assertThat(m.getStatus().getVersions())
                .anyMatch(s -> s.getName().equals("v1") && "Available".equals(s.getState()));

        JsonNode op = JSON.readTree(ok(as(
                        deployer,
                        "ai-platform",
                        "operations",
                        "describe",
                        "create_iris_v1-" + m.getMetadata().getGeneration(),
                        "--format=json"))
                .out());
        assertThat(op.get("done").asBoolean()).isTrue();
        assertThat(op.get("response").get("state").asText()).isEqualTo("READY");

        ok(as(
                deployer,
                "beta",
                "ai-platform",
                "versions",
                "create",
                "v2",
                "--model",
                "iris",
                "--origin",
                "gs://models-bucket/iris/2",
                "--explanation-method",
                "xrai"));
        ok(as(deployer, "ai-platform", "versions", "set-default", "v2", "--model", "iris"));
        m = model("iris");
        assertThat(m.getSpec().getDefaultVersion()).isEqualTo("v2");
        assertThat(version(m, "v2").getExplanation().getMethod()).isEqualTo(ExplanationSpec.Method.xrai);
        assertThat(version(m, "v2").getExplanation().getIntegralSteps()).isEqualTo(50);

        JsonNode versions =
                JSON.readTree(ok(as(deployer, "ai-platform", "versions", "list", "--model", "iris", "--format=json"))
                        .out());
        assertThat(versions).hasSize(2);
        assertThat(versions.findValuesAsText("name"))
                .containsExactlyInAnyOrder(
                        "projects/" + ns + "/models/iris/versions/v1", "projects/" + ns + "/models/iris/versions/v2");
        assertThat(versions.findValuesAsText("state")).containsOnly("READY");
        JsonNode described =
                JSON.readTree(ok(as(deployer, "ai-platform", "models", "describe", "iris", "--format=json"))
                        .out());
        assertThat(described.get("defaultVersion").get("name").asText()).endsWith("/versions/v2");

        // Google's rules: the default version goes last, a model with versions is not deleted
        Gcloud.Run refused = as(deployer, "ai-platform", "versions", "delete", "v2", "--model", "iris", "--quiet");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("set another default first");
        ok(as(deployer, "ai-platform", "versions", "delete", "v1", "--model", "iris", "--quiet"));
        assertThat(model("iris").getSpec().getVersions())
                .extracting(VersionSpec::getName)
                .containsExactly("v2");
        Gcloud.Run withVersions = as(deployer, "ai-platform", "models", "delete", "iris", "--quiet");
        assertThat(withVersions.exit()).isEqualTo(1);
        assertThat(withVersions.err()).contains("delete them first");
        ok(as(deployer, "ai-platform", "versions", "delete", "v2", "--model", "iris", "--quiet"));
        ok(as(deployer, "ai-platform", "models", "delete", "iris", "--quiet"));
        await().atMost(Duration.ofSeconds(60)).until(() -> model("iris") == null);
        JsonNode listed = JSON.readTree(ok(as(deployer, "ai-platform", "models", "list", "--format=json"))
                .out());
        assertThat(listed.findValuesAsText("name")).doesNotContain("projects/" + ns + "/models/iris");
    }

    @Test
    void aCallerWhoMayOnlyReadIsDeniedAndNothingChanges() throws Exception {
        Gcloud.Run denied = as(reader, "ai-platform", "models", "create", "forbidden");
        assertThat(denied.exit()).isEqualTo(1);
        assertThat(denied.err()).contains("forbidden").contains("cannot create resource");
        assertThat(model("forbidden")).isNull();
        Gcloud.Run anonymous = gcloud.run(List.of("ai-platform", "models", "list", "--access-token-file=/dev/null"));
        assertThat(anonymous.exit()).isNotZero();
        Gcloud.Run badFramework = as(deployer, "ai-platform", "models", "create", "xgb");
        ok(badFramework);
        Gcloud.Run xgboost = as(
                deployer,
                "beta",
                "ai-platform",
                "versions",
                "create",
                "v1",
                "--model",
                "xgb",
                "--origin",
                "gs://models-bucket/xgb/1",
                "--framework",
                "xgboost");
        assertThat(xgboost.exit()).isEqualTo(1);
        assertThat(xgboost.err()).contains("framework XGBOOST is not supported");
        assertThat(model("xgb").getSpec().getVersions())
                .as("nothing half-applied")
                .isEmpty();
    }

    @Test
    void aVersionWhoseModelFetchFailsEndsTheCommandWithTheReason() throws Exception {
        ok(as(deployer, "ai-platform", "models", "create", "broken"));
        // 4 GPUs: no node has them, so no kwok node runs the pod; the test reports its fetcher failing as a kubelet
        // would
        CompletableFuture<Gcloud.Run> create = CompletableFuture.supplyAsync(() -> {
            try {
                return as(
                        deployer,
                        "beta",
                        "ai-platform",
                        "versions",
                        "create",
                        "v1",
                        "--model",
                        "broken",
                        "--origin",
                        "gs://models-bucket/missing/1",
                        "--accelerator",
                        "count=4,type=nvidia-tesla-t4");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(90)).until(() -> !pods("broken").isEmpty());
        ManagementCallers.fetcherFailed(
                cluster.client(), ns, pods("broken").get(0), "fetching gs://models-bucket/missing/1: not found");
        Gcloud.Run failed = create.get(3, TimeUnit.MINUTES);
        assertThat(failed.exit()).as(failed.err()).isEqualTo(1);
        assertThat(failed.err()).contains("ModelFetchFailed").contains("gs://models-bucket/missing/1: not found");
    }

    static List<Pod> pods(String model) {
        return ManagementCallers.pods(cluster.client(), ns, model);
    }
}
