package dev.explainable.serving.operator.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.management.vertex.VertexRoutes;
import dev.explainable.serving.testkit.Gcloud;
import dev.explainable.serving.testkit.VertexPython;

/**
 * Google's gcloud and Vertex AI Python SDK, unchanged, deploying with Vertex's verbs against the operator's management
 * API on a real control plane, the operator running: {@code ai models upload} (with and without a metadata file),
 * {@code ai endpoints create}, {@code deploy-model --traffic-split 0=100} (which returns once the deployed model is
 * Ready), {@code undeploy-model}, {@code ai operations describe}, and the SDK's {@code Model.upload} →
 * {@code Endpoint.create} → {@code model.deploy} → {@code Model.batch_predict(generate_explanation=True)}; the
 * ExplainableModels, ConfigMaps and ExplanationJobs hold exactly what the commands said. The calls act with the
 * caller's Kubernetes token: one that may only read gets PERMISSION_DENIED and nothing changes. A deployed model whose
 * artifact cannot be fetched ends the operation with the reason, and gcloud exits 1 with it. As in
 * {@link MlManagementOnControlPlaneTest}, the API runs on a plain Vert.x server over the operator's client
 * configuration, and the class's own control plane has a kwok node without the kwok taint.
 */
class VertexManagementOnControlPlaneTest {

    @RegisterExtension
    static final OperatorOnControlPlane cluster =
            OperatorOnControlPlane.own(TestConfig.of(), cp -> cp.addNode("node-1", 0, false));

    static final ObjectMapper JSON = new ObjectMapper();
    static final String IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/tf2-cpu.2-15:latest";
    static final String REGION = "--region=us-central1";

    static Vertx vertx;
    static HttpServer server;
    static Gcloud gcloud;
    static String ns;
    static Path deployer;
    static Path reader;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Gcloud.present(), "gcloud is not on PATH: the Vertex management gcloud test skipped");
        vertx = Vertx.vertx();
        server = ManagementCallers.serve(
                vertx, cluster.client(), routes -> VertexRoutes.install(routes, List.of("us-central1")));
        ns = cluster.namespace("vertex-deploy");
        List<String> all = List.of("get", "list", "watch", "create", "update", "patch", "delete");
        deployer = ManagementCallers.token(
                cluster.client(),
                ns,
                "deployer",
                List.of(
                        ManagementCallers.rule(
                                "serving.explainable.dev", List.of("explainablemodels", "explanationjobs"), all),
                        ManagementCallers.rule("", List.of("configmaps"), List.of("get", "list", "create", "delete"))));
        reader = ManagementCallers.token(
                cluster.client(),
                ns,
                "reader",
                List.of(
                        ManagementCallers.rule(
                                "serving.explainable.dev",
                                List.of("explainablemodels", "explanationjobs"),
                                List.of("get", "list")),
                        ManagementCallers.rule("", List.of("configmaps"), List.of("get", "list"))));
        gcloud = Gcloud.withNewConfig()
                .set("core/project", ns)
                .set("api_endpoint_overrides/aiplatform", "http://127.0.0.1:" + server.actualPort() + "/")
                .set("auth/disable_credentials", "false");
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    static Gcloud.Run as(Path token, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(REGION);
        all.add("--access-token-file=" + token);
        return gcloud.run(all, 180);
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

    static ExplainableModel endpoint(String name) {
        return cluster.client()
                .resources(ExplainableModel.class)
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    static JsonNode stored(String model) throws Exception {
        ConfigMap cm = cluster.client()
                .configMaps()
                .inNamespace(ns)
                .withName("vertex-model-" + model)
                .get();
        return cm == null ? null : JSON.readTree(cm.getData().get("model.json"));
    }

    static VersionSpec version(ExplainableModel m, String name) {
        return m.getSpec().getVersions().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void vertexsVerbsLeaveTheModelsAndEndpointsAsTheCommandsSaid() throws Exception {
        Path metadata = Files.createTempFile("md", ".json");
        Files.writeString(
                metadata,
                "{\"inputs\":{\"features\":{\"inputTensorName\":\"dense_input\"}},"
                        + "\"outputs\":{\"probabilities\":{\"outputTensorName\":\"dense_2\"}}}");
        ok(as(
                deployer,
                "ai",
                "models",
                "upload",
                "--display-name=iris",
                "--model-id=iris",
                "--container-image-uri=" + IMAGE,
                "--artifact-uri=gs://models-bucket/iris/1",
                "--explanation-method=integrated-gradients",
                "--explanation-step-count=25",
                "--explanation-metadata-file=" + metadata,
                "--labels=team=a"));
        JsonNode iris = stored("iris");
        assertThat(iris.get("artifactUri").asText()).isEqualTo("gs://models-bucket/iris/1");
        assertThat(iris.at("/explanationSpec/parameters/integratedGradientsAttribution/stepCount")
                        .asInt())
                .isEqualTo(25);
        assertThat(iris.at("/explanationSpec/metadata/inputs/features/inputTensorName")
                        .asText())
                .isEqualTo("dense_input");
        ok(as(
                deployer,
                "ai",
                "models",
                "upload",
                "--display-name=iris xrai",
                "--container-image-uri=" + IMAGE,
                "--artifact-uri=gs://models-bucket/iris/2",
                "--explanation-method=xrai",
                "--explanation-step-count=20"));
        JsonNode xrai = stored("iris-xrai");
        assertThat(xrai.at("/explanationSpec/parameters/xraiAttribution/stepCount")
                        .asInt())
                .as("an id made from the display name")
                .isEqualTo(20);
        assertThat(xrai.at("/explanationSpec/metadata").isMissingNode()).isTrue();

        ok(as(deployer, "ai", "endpoints", "create", "--display-name=Iris endpoint", "--endpoint-id=iris-ep"));
        assertThat(endpoint("iris-ep").getSpec().getVersions()).isEmpty();

        ok(as(
                deployer,
                "ai",
                "endpoints",
                "deploy-model",
                "iris-ep",
                "--model=iris",
                "--display-name=iris-v1",
                "--machine-type=n1-standard-2",
                "--deployed-model-id=v1",
                "--traffic-split=0=100"));
        // returned once v1 is Ready: its pods ran (kwok's node), the status says Available
        ExplainableModel m = endpoint("iris-ep");
        VersionSpec v1 = version(m, "v1");
        assertThat(v1.getModelUri()).isEqualTo("gs://models-bucket/iris/1");
        assertThat(v1.getExplanationSpec().getParameters().steps()).isEqualTo(25);
        assertThat(v1.getExplanationSpec()
                        .getMetadata()
                        .at("/outputs/probabilities/outputTensorName")
                        .asText())
                .isEqualTo("dense_2");
        assertThat(v1.getResources().getCpu()).isEqualTo("2");
        assertThat(m.getSpec().getDefaultVersion()).isEqualTo("v1");
        assertThat(m.getStatus().getVersions())
                .anyMatch(s -> s.getName().equals("v1") && "Available".equals(s.getState()));
        long deployGeneration = m.getMetadata().getGeneration();

        JsonNode op = JSON.readTree(ok(as(
                        deployer,
                        "ai",
                        "operations",
                        "describe",
                        "deploy_iris-ep_v1-" + deployGeneration,
                        "--format=json"))
                .out());
        assertThat(op.get("done").asBoolean()).isTrue();
        assertThat(op.at("/response/deployedModel/id").asText()).isEqualTo("v1");

        // no traffic split: the traffic stays where it was
        ok(as(deployer, "ai", "endpoints", "deploy-model", "iris-ep", "--model=iris-xrai", "--display-name=xrai"));
        m = endpoint("iris-ep");
        assertThat(version(m, "iris-xrai").getExplanationSpec().getParameters().getXraiAttribution())
                .isNotNull();
        assertThat(m.getSpec().getDefaultVersion()).isEqualTo("v1");
        JsonNode described = JSON.readTree(ok(as(deployer, "ai", "endpoints", "describe", "iris-ep", "--format=json"))
                .out());
        assertThat(described.get("displayName").asText()).isEqualTo("Iris endpoint");
        assertThat(described.get("trafficSplit").toString()).isEqualTo("{\"v1\":100}");
        assertThat(described.get("deployedModels").findValuesAsText("id")).containsExactly("v1", "iris-xrai");
        JsonNode model = JSON.readTree(ok(as(deployer, "ai", "models", "describe", "iris", "--format=json"))
                .out());
        assertThat(model.get("deployedModels").findValuesAsText("deployedModelId"))
                .containsExactly("v1");

        // a split to a new deployed model moves the traffic when it is Ready: the command returns then, v3 serving
        ok(as(
                deployer,
                "ai",
                "endpoints",
                "deploy-model",
                "iris-ep",
                "--model=iris",
                "--display-name=iris-v3",
                "--deployed-model-id=v3",
                "--traffic-split=0=100"));
        m = endpoint("iris-ep");
        assertThat(m.getSpec().getDefaultVersion()).isEqualTo("v3");
        assertThat(m.getMetadata().getAnnotations())
                .doesNotContainKey("vertex.serving.explainable.dev/traffic-on-ready");
        assertThat(m.getStatus().getVersions())
                .anyMatch(s -> s.getName().equals("v3") && "Available".equals(s.getState()));

        // Vertex's rules: a deployed model is not deleted, nor an endpoint with deployed models
        Gcloud.Run deployed = as(deployer, "ai", "models", "delete", "iris", "--quiet");
        assertThat(deployed.exit()).isEqualTo(1);
        assertThat(deployed.err()).contains("undeploy it first");
        Gcloud.Run withModels = as(deployer, "ai", "endpoints", "delete", "iris-ep", "--quiet");
        assertThat(withModels.exit()).isEqualTo(1);
        assertThat(withModels.err()).contains("undeploy them first");
        Gcloud.Run takesTraffic =
                as(deployer, "ai", "endpoints", "undeploy-model", "iris-ep", "--deployed-model-id=v3");
        assertThat(takesTraffic.exit()).isEqualTo(1);
        assertThat(takesTraffic.err()).contains("takes endpoint iris-ep's traffic");

        ok(as(deployer, "ai", "endpoints", "undeploy-model", "iris-ep", "--deployed-model-id=iris-xrai"));
        ok(as(deployer, "ai", "endpoints", "undeploy-model", "iris-ep", "--deployed-model-id=v1"));
        ok(as(deployer, "ai", "endpoints", "undeploy-model", "iris-ep", "--deployed-model-id=v3"));
        m = endpoint("iris-ep");
        assertThat(m.getSpec().getVersions()).isEmpty();
        assertThat(m.getSpec().getDefaultVersion()).isNull();
        ok(as(deployer, "ai", "models", "delete", "iris", "--quiet"));
        ok(as(deployer, "ai", "models", "delete", "iris-xrai", "--quiet"));
        ok(as(deployer, "ai", "endpoints", "delete", "iris-ep", "--quiet"));
        await().atMost(Duration.ofSeconds(60)).until(() -> endpoint("iris-ep") == null);
        assertThat(stored("iris")).isNull();
        JsonNode models = JSON.readTree(
                ok(as(deployer, "ai", "models", "list", "--format=json")).out());
        assertThat(models.findValuesAsText("name")).noneMatch(n -> n.endsWith("/models/iris"));
    }

    @Test
    void googlesPythonSdkUploadsDeploysAndStartsABatchJob() throws Exception {
        Assumptions.assumeTrue(
                VertexPython.present(),
                "the Vertex SDK virtualenv is missing (tools/ensure-vertex-sdk.sh): the SDK deployment test skipped");
        VertexPython.Run run = VertexPython.run(
                Map.of("EXPLAIN_TOKEN", Files.readString(deployer).trim()),
                Duration.ofMinutes(5),
                "src/test/vertex/sdk_deploy.py",
                "http://127.0.0.1:" + server.actualPort(),
                ns,
                "gs://models-bucket/iris-sdk/1",
                IMAGE);
        assertThat(run.exit()).as("the SDK failed: %s %s", run.out(), run.err()).isZero();
        JsonNode r = run.result();
        String parent = "projects/" + ns + "/locations/us-central1";
        assertThat(r.get("model").asText()).isEqualTo(parent + "/models/iris-sdk");
        assertThat(r.get("model_version").asText()).isEqualTo("1");
        assertThat(r.get("endpoint").asText()).isEqualTo(parent + "/endpoints/iris-sdk-ep");
        assertThat(r.get("deployed").get(0).get("model").asText()).isEqualTo(parent + "/models/iris-sdk");
        String deployedId = r.get("deployed").get(0).get("id").asText();
        assertThat(r.get("traffic").get(deployedId).asInt()).isEqualTo(100);
        assertThat(r.get("job_state").asText()).startsWith("JOB_STATE_");

        ExplainableModel m = endpoint("iris-sdk-ep");
        VersionSpec v = version(m, deployedId);
        assertThat(v.getModelUri()).isEqualTo("gs://models-bucket/iris-sdk/1");
        assertThat(v.getExplanationSpec().getParameters().steps()).isEqualTo(30);
        assertThat(m.getSpec().getDefaultVersion()).isEqualTo(deployedId);

        String jobName = r.get("job").asText().substring((parent + "/batchPredictionJobs/").length());
        ExplanationJob job = cluster.client()
                .resources(ExplanationJob.class)
                .inNamespace(ns)
                .withName(jobName)
                .get();
        assertThat(job.getSpec().model.modelUri).isEqualTo("gs://models-bucket/iris-sdk/1");
        assertThat(job.getSpec().explains()).isTrue();
        // the job's parameters over the model's, the model's metadata kept (Vertex's field-wise rule)
        assertThat(job.getSpec().explanationSpec.getParameters().steps()).isEqualTo(50);
        assertThat(job.getSpec()
                        .explanationSpec
                        .getMetadata()
                        .at("/inputs/features/inputTensorName")
                        .asText())
                .isEqualTo("dense_input");
        assertThat(job.getSpec().batchSize).isEqualTo(16);
        assertThat(job.getSpec().shards()).isEqualTo(2);
        assertThat(job.getSpec().pods()).isEqualTo(1);
        assertThat(job.getSpec().inputConfig.uris).containsExactly("gs://batch-bucket/in/instances.jsonl");
        assertThat(job.getSpec().outputConfig.outputUriPrefix).isEqualTo("gs://batch-bucket/out");
    }

    @Test
    void aCallerWhoMayOnlyReadIsDeniedAndNothingChanges() throws Exception {
        Gcloud.Run endpoint = as(reader, "ai", "endpoints", "create", "--display-name=x", "--endpoint-id=forbidden");
        assertThat(endpoint.exit()).isEqualTo(1);
        assertThat(endpoint.err()).contains("forbidden").contains("cannot create resource");
        assertThat(endpoint("forbidden")).isNull();
        Gcloud.Run upload = as(
                reader,
                "ai",
                "models",
                "upload",
                "--display-name=x",
                "--model-id=forbidden",
                "--container-image-uri=" + IMAGE,
                "--artifact-uri=gs://models-bucket/x/1");
        assertThat(upload.exit()).isEqualTo(1);
        assertThat(upload.err()).contains("cannot create resource");
        assertThat(stored("forbidden")).isNull();

        Gcloud.Run xgboost = as(
                deployer,
                "ai",
                "models",
                "upload",
                "--display-name=xgb",
                "--model-id=xgb",
                "--container-image-uri=us-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest",
                "--artifact-uri=gs://models-bucket/xgb/1");
        assertThat(xgboost.exit()).isEqualTo(1);
        assertThat(xgboost.err()).contains("framework is not supported");
        assertThat(stored("xgb")).as("nothing half-applied").isNull();
    }

    @Test
    void aDeployedModelWhoseArtifactCannotBeFetchedEndsTheCommandWithTheReason() throws Exception {
        ok(as(
                deployer,
                "ai",
                "models",
                "upload",
                "--display-name=missing",
                "--model-id=missing",
                "--container-image-uri=" + IMAGE,
                "--artifact-uri=gs://models-bucket/missing/1"));
        ok(as(deployer, "ai", "endpoints", "create", "--display-name=broken", "--endpoint-id=broken"));
        // 4 GPUs: no node has them, so no kwok node runs the pod; the test reports its fetcher failing as a kubelet
        // would
        CompletableFuture<Gcloud.Run> deploy = CompletableFuture.supplyAsync(() -> {
            try {
                return as(
                        deployer,
                        "ai",
                        "endpoints",
                        "deploy-model",
                        "broken",
                        "--model=missing",
                        "--display-name=missing",
                        "--machine-type=n1-standard-4",
                        "--accelerator=type=nvidia-tesla-t4,count=4");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(90)).until(() -> !pods("broken").isEmpty());
        ManagementCallers.fetcherFailed(
                cluster.client(), ns, pods("broken").get(0), "fetching gs://models-bucket/missing/1: not found");
        Gcloud.Run failed = deploy.get(3, TimeUnit.MINUTES);
        assertThat(failed.exit()).as(failed.err()).isEqualTo(1);
        assertThat(failed.err()).contains("ModelFetchFailed").contains("gs://models-bucket/missing/1: not found");
    }

    static List<Pod> pods(String model) {
        return ManagementCallers.pods(cluster.client(), ns, model);
    }
}
