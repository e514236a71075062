package dev.explainable.serving.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobStatus;
import dev.explainable.serving.operator.api.StorageSpec;
import dev.explainable.serving.testkit.HelmChart;
import dev.explainable.serving.testkit.RetryOnConflict;
import dev.explainable.serving.testkit.ServiceAccountTokens;
import dev.explainable.serving.testkit.VertexPython;

/**
 * Google's Vertex AI Python SDK, unchanged, deploying and explaining on the real node, after {@link BatchJobScenario}
 * (fake-gcs-server running, its buckets seeded): {@code Model.upload} and {@code Endpoint.create} through the
 * operator's management API (its Service's port 8081), the endpoint's storage set as a user sets it with kubectl (a
 * Vertex model has no storage settings: here, anonymous reads from the emulator), then {@code model.deploy} (returns
 * once the deployed model is Ready: its pod fetched the model and started), {@code endpoint.explain} through the
 * runtime (the endpoint's Service) equal to the same model's explanation through {@value GcsModelScenario#SERVED},
 * and {@code Model.batch_predict(generate_explanation=True, sync=True)}, which returns once its ExplanationJob has
 * succeeded, reading with the endpoint's storage settings. All calls act with one ServiceAccount's token whose Role
 * allows exactly these verbs.
 */
final class VertexSdkScenario {

    static final String IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/tf2-cpu.2-15:latest";
    static final String SA = "vertex-deployer";
    static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final ExplainScenario.Caller caller;
    private final String callerToken;

    VertexSdkScenario(KubernetesClient client, ExplainScenario.Caller caller, String callerToken) {
        this.client = client;
        this.caller = caller;
        this.callerToken = callerToken;
    }

    /** Whether the SDK's virtualenv is here (tools/ensure-vertex-sdk.sh, which .ci/run calls, makes it). */
    static boolean present() {
        return VertexPython.present();
    }

    void run(String gcsEndpoint) throws Exception {
        long start = System.nanoTime();
        String token = deployer();
        String management = "http://" + clusterIp(HelmChart.NAMESPACE, 8081) + ":8081";
        JsonNode uploaded = sdk(token, "upload", management, ExplainScenario.NS, "gs://models/iris/1", IMAGE);
        String model = uploaded.get("model").asText();
        String endpointName = uploaded.get("endpoint").asText();
        String endpoint = endpointName.substring(endpointName.lastIndexOf('/') + 1);
        assertThat(endpoint).as("an id made from the display name").isEqualTo("iris-sdk-ep");

        // the cluster's storage settings, as a user writes them with kubectl: the SDK has no field for them
        RetryOnConflict.edit(
                client.resources(ExplainableModel.class)
                        .inNamespace(ExplainScenario.NS)
                        .withName(endpoint),
                m -> {
                    StorageSpec s = new StorageSpec();
                    s.setAnonymous(true);
                    StorageSpec.Gcs gcs = new StorageSpec.Gcs();
                    gcs.setEndpoint(gcsEndpoint);
                    s.setGcs(gcs);
                    m.getSpec().setStorage(s);
                });

        JsonNode served = sdk(
                token,
                "serve",
                management,
                "http://" + clusterIp(ExplainScenario.NS, endpoint),
                ExplainScenario.NS,
                model,
                endpointName,
                JSON.readTree(ExplainScenario.INSTANCES).get("instances").toString(),
                "gs://" + BatchJobScenario.BUCKET + "/in/part-0.jsonl",
                "gs://" + BatchJobScenario.BUCKET + "/sdk-out");
        String deployed = served.get("deployed").get(0).asText();
        assertThat(served.get("deployed_model_id").asText()).isEqualTo(deployed);
        ExplainableModel m = client.resources(ExplainableModel.class)
                .inNamespace(ExplainScenario.NS)
                .withName(endpoint)
                .get();
        assertThat(m.getSpec().getDefaultVersion()).isEqualTo(deployed);
        assertThat(m.getSpec().getVersions().get(0).getModelUri()).isEqualTo("gs://models/iris/1");

        // the same model with the same method and steps, explained through the model the GCS scenario made
        ExplainScenario.Reply reference = caller.post(
                GcsModelScenario.SERVED,
                "/v1/projects/demo/locations/us-central1/endpoints/" + GcsModelScenario.SERVED + ":explain",
                ExplainScenario.INSTANCES,
                callerToken);
        assertThat(reference.statusCode()).as(reference.body()).isEqualTo(200);
        JsonNode expected = JSON.readTree(reference.body()).at("/explanations/0/attributions/0");
        JsonNode got = served.at("/explanations/0/attributions/0");
        assertThat(got.get("instance_output_value").asDouble())
                .isCloseTo(expected.get("instanceOutputValue").asDouble(), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(numbers(got.get("feature_attributions")))
                .containsExactlyElementsOf(numbers(expected.get("featureAttributions")));

        assertThat(served.get("job_state").asText()).isEqualTo("JOB_STATE_SUCCEEDED");
        assertThat(served.get("successful").asLong()).isEqualTo(BatchJobScenario.LINES_PER_FILE);
        assertThat(served.get("failed").asLong()).isZero();
        String job = served.get("job").asText();
        ExplanationJob j = client.resources(ExplanationJob.class)
                .inNamespace(ExplainScenario.NS)
                .withName(job.substring(job.lastIndexOf('/') + 1))
                .get();
        assertThat(j.getStatus().state).isEqualTo(ExplanationJobStatus.SUCCEEDED);
        assertThat(j.getSpec().storage.getGcs().getEndpoint())
                .as("the endpoint's storage")
                .isEqualTo(gcsEndpoint);
        assertThat(served.get("output_directory").asText())
                .isEqualTo(j.getStatus().outputInfo.gcsOutputDirectory)
                .startsWith("gs://" + BatchJobScenario.BUCKET + "/sdk-out/prediction-");
        System.out.printf(
                "Vertex SDK: upload, create, deploy (Ready), explain and batch_predict (%d explained) in %.1f s%n",
                served.get("successful").asLong(), (System.nanoTime() - start) / 1e9);
    }

    /** A number or a list of numbers, as a list. */
    static List<Double> numbers(JsonNode n) {
        List<Double> out = new ArrayList<>();
        if (n.isNumber()) {
            out.add(n.asDouble());
        }
        for (JsonNode x : n) {
            out.addAll(numbers(x));
        }
        return out;
    }

    /** The ServiceAccount the SDK acts as: the Vertex verbs' rights in the namespace, and explain on its models. */
    private String deployer() {
        client.serviceAccounts()
                .inNamespace(ExplainScenario.NS)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName(SA)
                        .endMetadata()
                        .build())
                .create();
        List<String> all = List.of("get", "list", "watch", "create", "update", "patch", "delete");
        client.rbac()
                .roles()
                .inNamespace(ExplainScenario.NS)
                .resource(new RoleBuilder()
                        .withNewMetadata()
                        .withName(SA)
                        .endMetadata()
                        .withRules(
                                new PolicyRuleBuilder()
                                        .withApiGroups("serving.explainable.dev")
                                        .withResources("explainablemodels", "explanationjobs")
                                        .withVerbs(all)
                                        .build(),
                                new PolicyRuleBuilder()
                                        .withApiGroups("serving.explainable.dev")
                                        .withResources("explainablemodels/explain", "explainablemodels/predict")
                                        .withVerbs("create")
                                        .build(),
                                new PolicyRuleBuilder()
                                        .withApiGroups("")
                                        .withResources("configmaps")
                                        .withVerbs("get", "list", "create", "delete")
                                        .build())
                        .build())
                .create();
        client.rbac()
                .roleBindings()
                .inNamespace(ExplainScenario.NS)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName(SA)
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "Role", SA)
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName(SA)
                        .withNamespace(ExplainScenario.NS)
                        .endSubject()
                        .build())
                .create();
        return ServiceAccountTokens.request(client, ExplainScenario.NS, SA, null);
    }

    /** The ClusterIP of the Service in {@code ns} with port {@code port}, routed to the node. */
    private String clusterIp(String ns, int port) throws Exception {
        String ip = client.services().inNamespace(ns).list().getItems().stream()
                .filter(s -> s.getSpec().getPorts().stream()
                        .map(ServicePort::getPort)
                        .anyMatch(p -> p == port))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Service with port " + port + " in " + ns))
                .getSpec()
                .getClusterIP();
        LocalNode.requireRoutedToNode(ip);
        return ip;
    }

    private String clusterIp(String ns, String service) throws Exception {
        String ip = client.services()
                .inNamespace(ns)
                .withName(service)
                .get()
                .getSpec()
                .getClusterIP();
        LocalNode.requireRoutedToNode(ip);
        return ip;
    }

    /** Runs the SDK script; its RESULT line. */
    private JsonNode sdk(String token, String... args) throws Exception {
        VertexPython.Run run = VertexPython.run(
                Map.of("EXPLAIN_TOKEN", token),
                Duration.ofMinutes(10),
                ExplainScenario.ROOT.resolve("e2e/src/test/vertex/sdk_e2e.py").toString(),
                args);
        assertThat(run.exit())
                .as("the SDK (%s) failed: %s %s", args[0], run.out(), run.err())
                .isZero();
        return run.result();
    }
}
