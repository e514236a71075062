package dev.explainable.serving.operator.management.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConditionBuilder;

import dev.explainable.serving.contract.RuntimeSetting;
import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobSpec;
import dev.explainable.serving.operator.api.ExplanationJobStatus;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.api.VertexExplanationSpec;
import dev.explainable.serving.operator.dependent.DesiredConfigMap;
import dev.explainable.serving.operator.management.GoogleError;

/** Vertex's Model, Endpoint, Operation and BatchPredictionJob, to and from what this API keeps. */
class VertexMappingTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TF_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/tf2-cpu.2-15:latest";
    static final Where V1 = new Where("demo", "us-central1", "v1");

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void gcloudsUploadBodyIsKeptAsSent() throws Exception {
        // as gcloud ai models upload sends it (management-batch-facts.md §3.1)
        UploadedModels.Stored s = UploadedModels.fromRequest(json("{\"artifactUri\":\"gs://bucket/iris/model\","
                + "\"containerSpec\":{\"imageUri\":\"" + TF_IMAGE + "\"},\"displayName\":\"iris\","
                + "\"explanationSpec\":{\"metadata\":{\"inputs\":{\"x\":{\"inputTensorName\":\"x\"}}},"
                + "\"parameters\":{\"sampledShapleyAttribution\":{\"pathCount\":10}}},\"labels\":{\"team\":\"a\"}}"));
        assertThat(s.artifactUri()).isEqualTo("gs://bucket/iris/model");
        assertThat(s.imageUri()).isEqualTo(TF_IMAGE);
        assertThat(s.explanationSpec())
                .isEqualTo(json("{\"parameters\":{\"sampledShapleyAttribution\":{\"pathCount\":10}},"
                        + "\"metadata\":{\"inputs\":{\"x\":{\"inputTensorName\":\"x\"}}}}"));
        VertexExplanationSpec e = s.explanation();
        assertThat(e.getParameters().paths()).isEqualTo(10);

        // no step count: Vertex's default; no metadata: the model folder's file or the signature
        UploadedModels.Stored ig =
                UploadedModels.fromRequest(json("{\"artifactUri\":\"gs://bucket/m\",\"displayName\":\"m\","
                        + "\"explanationSpec\":{\"parameters\":{\"integratedGradientsAttribution\":{}}},"
                        + "\"versionAliases\":[\"default\"]}"));
        assertThat(ig.explanation().getParameters().steps()).isEqualTo(50);
        assertThat(ig.explanation().getMetadata()).isNull();
    }

    @Test
    void whatCannotBeHonouredIsRefusedNamingTheField() {
        String ok = "\"artifactUri\":\"gs://bucket/m\",\"displayName\":\"m\"";
        String[][] cases = {
            {
                "{" + ok
                        + ",\"containerSpec\":{\"imageUri\":\"us-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest\"}}",
                "framework is not supported"
            },
            {"{" + ok + ",\"containerSpec\":{\"imageUri\":\"ghcr.io/me/server:1\"}}", "custom containers"},
            {
                "{" + ok + ",\"containerSpec\":{\"imageUri\":\"" + TF_IMAGE + "\",\"command\":[\"sh\"]}}",
                "model.containerSpec.command"
            },
            {"{" + ok + ",\"explanationSpec\":{\"parameters\":{\"examples\":{}}}}", "gcsSource.uris must name"},
            {
                "{" + ok
                        + ",\"explanationSpec\":{\"parameters\":{\"examples\":{\"gcsSource\":{\"uris\":[\"gs://b/e\"]},"
                        + "\"nearestNeighborSearchConfig\":{\"config\":{\"dimensions\":16}}}}}}",
                "nearestNeighborSearchConfig is not supported here: give presets"
            },
            {
                "{" + ok + ",\"explanationSpec\":{\"parameters\":{\"examples\":{\"gcsSource\":{\"uris\":"
                        + "[\"file:///etc/passwd\"]}}}}}",
                "each is a gs:// or s3:// URI"
            },
            {
                "{" + ok
                        + ",\"explanationSpec\":{\"parameters\":{\"examples\":{\"gcsSource\":{\"uris\":[\"gs://b/e\"]},"
                        + "\"neighborCount\":1000000000}}}}",
                "neighborCount must be from 1 to 100"
            },
            {
                "{" + ok
                        + ",\"explanationSpec\":{\"parameters\":{\"examples\":{\"gcsSource\":{\"uris\":[\"gs://b/e\"]},"
                        + "\"presets\":{\"query\":\"INSTANT\"}}}}}",
                "unknown value 'INSTANT'"
            },
            {
                "{" + ok + ",\"explanationSpec\":{\"parameters\":{\"examples\":{\"exampleGcsSource\":{\"dataFormat\":"
                        + "\"CSV\",\"gcsSource\":{\"uris\":[\"gs://b/e\"]}}}}}}",
                "dataFormat must be JSONL"
            },
            {
                "{" + ok + ",\"explanationSpec\":{\"parameters\":{\"integratedGradientsAttribution\":"
                        + "{\"smoothGradConfig\":{\"noiseSigma\":0.1}}}}}",
                "smoothGradConfig"
            },
            {
                "{" + ok + ",\"explanationSpec\":{\"parameters\":{\"xraiAttribution\":{\"stepCount\":101}}}}",
                "stepCount must be from 1 to 100"
            },
            {
                "{" + ok + ",\"explanationSpec\":{\"parameters\":{\"xraiAttribution\":{},"
                        + "\"integratedGradientsAttribution\":{}}}}",
                "exactly one"
            },
            {"{" + ok + ",\"pipelineJob\":\"x\"}", "Unknown name \"pipelineJob\""},
            {"{\"displayName\":\"m\"}", "model.artifactUri is required"},
            {"{\"artifactUri\":\"file:///etc\",\"displayName\":\"m\"}", "model.artifactUri"},
            {"{" + ok + ",\"versionAliases\":[\"v2\"]}", "one version"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> UploadedModels.fromRequest(json(c[0])))
                    .as(c[0])
                    .isInstanceOfSatisfying(
                            GoogleError.class, e -> assertThat(e.status()).isEqualTo("INVALID_ARGUMENT"))
                    .hasMessageContaining(c[1]);
        }
        // refused before anything is read or written (no client is needed to refuse)
        assertThatThrownBy(
                        () -> UploadedModels.upload(null, V1, json("{\"model\":{" + ok + "},\"parentModel\":\"x\"}")))
                .hasMessageContaining("parentModel");
        assertThatThrownBy(() -> Endpoints.create(null, V1, "789", json("{\"displayName\":\"e\"}")))
                .hasMessageContaining("starting with a letter");
        assertThatThrownBy(() -> Endpoints.create(null, V1, null, json("{\"displayName\":\"e\",\"network\":\"n\"}")))
                .hasMessageContaining("Unknown name \"network\"");
        assertThatThrownBy(() -> BatchJobs.create(null, V1, json("{\"displayName\":\"j\",\"modelParameters\":{}}")))
                .hasMessageContaining("modelParameters");
    }

    @Test
    void exampleBasedExplanationsAreKeptAndBecomeTheRuntimesSettings() throws Exception {
        UploadedModels.Stored s = UploadedModels.fromRequest(json("{\"artifactUri\":\"gs://bucket/m\","
                + "\"displayName\":\"m\",\"explanationSpec\":{\"metadata\":{\"inputs\":{\"x\":"
                + "{\"inputTensorName\":\"x\"}},\"latentSpaceSource\":\"embedding\"},\"parameters\":{\"examples\":"
                + "{\"exampleGcsSource\":{\"dataFormat\":\"JSONL\",\"gcsSource\":{\"uris\":[\"gs://bucket/set/*.jsonl\"]}},"
                + "\"neighborCount\":5,\"presets\":{\"query\":\"FAST\",\"modality\":\"IMAGE\"}}}}}"));
        VersionSpec v = new VersionSpec();
        v.setName("v1");
        v.setModelUri("gs://bucket/m");
        v.setExplanationSpec(s.explanation());
        Map<String, String> settings = DesiredConfigMap.settings("m", v);
        assertThat(settings)
                .containsEntry(RuntimeSetting.EXAMPLES_URIS.env(), "gs://bucket/set/*.jsonl")
                .containsEntry(RuntimeSetting.EXAMPLES_NEIGHBOR_COUNT.env(), "5")
                .containsEntry(RuntimeSetting.EXAMPLES_SEARCH.env(), "approximate")
                .containsEntry(RuntimeSetting.EXAMPLES_DISTANCE.env(), "cosine");
        // v1beta1's older spelling, and the presets' defaults: exact search, squared Euclidean distance
        UploadedModels.Stored plain = UploadedModels.fromRequest(json("{\"artifactUri\":\"gs://bucket/m\","
                + "\"displayName\":\"m\",\"explanationSpec\":{\"parameters\":{\"examples\":"
                + "{\"gcsSource\":{\"uris\":[\"s3://bucket/set.jsonl\"]}}}}}"));
        v.setExplanationSpec(plain.explanation());
        assertThat(DesiredConfigMap.settings("m", v))
                .containsEntry(RuntimeSetting.EXAMPLES_URIS.env(), "s3://bucket/set.jsonl")
                .containsEntry(RuntimeSetting.EXAMPLES_SEARCH.env(), "exact")
                .containsEntry(RuntimeSetting.EXAMPLES_DISTANCE.env(), "squared-l2")
                .doesNotContainKey(RuntimeSetting.EXAMPLES_NEIGHBOR_COUNT.env());
        // a batch job cannot explain by example (nor can Vertex's)
        assertThatThrownBy(() -> BatchJobs.create(
                        null,
                        V1,
                        json("{\"displayName\":\"j\",\"unmanagedContainerModel\":{\"artifactUri\":\"gs://bucket/m\"},"
                                + "\"generateExplanation\":true,\"explanationSpec\":{\"parameters\":{\"examples\":"
                                + "{\"gcsSource\":{\"uris\":[\"gs://b/e\"]}}}},\"inputConfig\":{\"instancesFormat\":\"jsonl\","
                                + "\"gcsSource\":{\"uris\":[\"gs://b/in\"]}},\"outputConfig\":{\"predictionsFormat\":\"jsonl\","
                                + "\"gcsDestination\":{\"outputUriPrefix\":\"gs://b/out\"}}}")))
                .hasMessageContaining("online only");
    }

    @Test
    void aTrafficSplitGivesOneDeployedModelAllTrafficOrIsRefused() throws Exception {
        List<VersionSpec> versions = List.of(Models.version("v1", 0), Models.version("v2", 0));
        assertThat(Endpoints.target(Endpoints.split(json("{\"0\":100}")), "v2", versions))
                .isEqualTo("v2");
        assertThat(Endpoints.target(Endpoints.split(json("{\"0\":0,\"v1\":100}")), "v2", versions))
                .isEqualTo("v1");
        assertThat(Endpoints.target(Endpoints.split(null), "v2", versions)).isNull();
        String[][] refused = {
            {"{\"0\":50,\"v1\":50}", "several deployed models"},
            {"{\"0\":60}", "add up to 100"},
            {"{\"v9\":100}", "not a deployed model"},
            {"{\"0\":101}", "from 0 to 100"},
        };
        for (String[] c : refused) {
            assertThatThrownBy(() -> Endpoints.target(Endpoints.split(json(c[0])), "v2", versions))
                    .as(c[0])
                    .isInstanceOf(GoogleError.class)
                    .hasMessageContaining(c[1]);
        }
    }

    @Test
    void aDeployIsDoneWhenItsVersionIsReadyOrHasFailedInAStatusOfItsGeneration() {
        VertexOperations.Id id = VertexOperations.parse("deploy_iris-ep_v1-2-7");
        assertThat(id).isEqualTo(new VertexOperations.Id("deploy", "iris-ep", "v1-2", 7));
        Where beta = new Where("demo", "us-central1", "v1beta1");
        assertThat(VertexOperations.name(beta, id))
                .isEqualTo("projects/demo/locations/us-central1/endpoints/iris-ep/operations/deploy_iris-ep_v1-2-7");
        assertThat(VertexOperations.name(V1, VertexOperations.parse("upload_123-0")))
                .isEqualTo("projects/demo/locations/us-central1/models/123/operations/upload_123-0");
        assertThat(VertexOperations.name(V1, VertexOperations.parse("deletejob_j-1")))
                .isEqualTo("projects/demo/locations/us-central1/operations/deletejob_j-1");

        VertexWire.Operation ready = VertexOperations.deploy(beta, id, endpoint(7, 7L, "Available", "", ""));
        assertThat(ready.done()).isTrue();
        assertThat(ready.error()).isNull();
        assertThat(ready.response().get("@type").asText())
                .isEqualTo("type.googleapis.com/google.cloud.aiplatform.v1beta1.DeployModelResponse");
        assertThat(ready.response().get("deployedModel").get("id").asText()).isEqualTo("v1-2");
        assertThat(ready.response().get("deployedModel").get("model").asText())
                .isEqualTo("projects/demo/locations/us-central1/models/iris");
        assertThat(ready.metadata().get("@type").asText())
                .isEqualTo("type.googleapis.com/google.cloud.aiplatform.v1beta1.DeployModelOperationMetadata");

        assertThat(VertexOperations.deploy(V1, id, endpoint(7, 6L, "Available", "", ""))
                        .done())
                .as("a status of an older generation says nothing yet")
                .isFalse();
        assertThat(VertexOperations.deploy(V1, id, endpoint(7, 7L, "Degraded", "Unschedulable", "0/3 nodes"))
                        .done())
                .isFalse();
        VertexWire.Operation failed = VertexOperations.deploy(
                V1, id, endpoint(7, 7L, "Degraded", "ModelFetchFailed", "gs://b/iris/1: not found"));
        assertThat(failed.done()).isTrue();
        assertThat(failed.error().code()).isEqualTo(9);
        assertThat(failed.error().message()).contains("ModelFetchFailed: gs://b/iris/1: not found");
        assertThat(VertexOperations.deploy(V1, id, null).error().code()).isEqualTo(5);
        assertThatThrownBy(() -> VertexOperations.parse("../../etc")).isInstanceOf(GoogleError.class);
    }

    @Test
    void anEndpointReadsBackWithItsDeployedModelsAndTraffic() {
        ExplainableModel m = endpoint(7, 7L, "Available", "", "");
        VertexWire.Endpoint e = Endpoints.toWire(V1, m);
        assertThat(e.name()).isEqualTo("projects/demo/locations/us-central1/endpoints/iris-ep");
        assertThat(e.displayName()).isEqualTo("Iris endpoint");
        assertThat(e.trafficSplit()).isEqualTo(Map.of("v1-2", 100));
        assertThat(e.deployedModels()).hasSize(1);
        assertThat(e.deployedModels().get(0).dedicatedResources().minReplicaCount())
                .isEqualTo(1);
        assertThat(new String(java.util.Base64.getDecoder().decode(e.etag()))).isEqualTo("4711");
    }

    @Test
    void aJobsStateAndCountsReadAsVertexs() {
        ExplanationJob j = new ExplanationJob();
        j.getMetadata().setName("iris-batch");
        j.getMetadata()
                .setAnnotations(Map.of(
                        "serving.explainable.dev/display-name", "iris batch",
                        "vertex.serving.explainable.dev/model", "projects/demo/locations/us-central1/models/iris"));
        ExplanationJobSpec spec = new ExplanationJobSpec();
        spec.inputConfig = new ExplanationJobSpec.InputConfig();
        spec.inputConfig.instancesFormat = "jsonl";
        spec.inputConfig.uris.add("gs://b/in.jsonl");
        spec.outputConfig = new ExplanationJobSpec.OutputConfig();
        spec.outputConfig.outputUriPrefix = "gs://b/out";
        j.setSpec(spec);
        VertexWire.BatchPredictionJob pending = BatchJobs.toWire(V1, j);
        assertThat(pending.state()).isEqualTo("JOB_STATE_PENDING");
        assertThat(pending.name()).isEqualTo("projects/demo/locations/us-central1/batchPredictionJobs/iris-batch");
        assertThat(pending.model()).isEqualTo("projects/demo/locations/us-central1/models/iris");
        assertThat(pending.displayName()).isEqualTo("iris batch");

        ExplanationJobStatus st = new ExplanationJobStatus();
        st.state = ExplanationJobStatus.SUCCEEDED;
        st.completionStats = new ExplanationJobStatus.CompletionStats(997, 3);
        st.completionStats.incompleteCount = 0L;
        st.outputInfo = new ExplanationJobStatus.OutputInfo();
        st.outputInfo.gcsOutputDirectory = "gs://b/out/prediction-iris-2026_12_06T23_00_00_000Z";
        j.setStatus(st);
        VertexWire.BatchPredictionJob done = BatchJobs.toWire(V1, j);
        assertThat(done.state()).isEqualTo("JOB_STATE_SUCCEEDED");
        assertThat(done.completionStats()).isEqualTo(new VertexWire.CompletionStats("997", "3", "0"));
        assertThat(done.outputInfo().gcsOutputDirectory()).endsWith("prediction-iris-2026_12_06T23_00_00_000Z");
        assertThat(done.error()).isNull();

        st.state = ExplanationJobStatus.FAILED;
        st.conditions.add(new ConditionBuilder()
                .withType("Failed")
                .withStatus("True")
                .withMessage("shard 0: model load failed")
                .build());
        VertexWire.BatchPredictionJob failed = BatchJobs.toWire(V1, j);
        assertThat(failed.state()).isEqualTo("JOB_STATE_FAILED");
        assertThat(failed.error().message()).isEqualTo("shard 0: model load failed");
    }

    @Test
    void idsMadeFromDisplayNamesAreKubernetesNames() {
        assertThat(VertexNames.fromDisplayName("Iris endpoint", "endpoint")).isEqualTo("iris-endpoint");
        assertThat(VertexNames.fromDisplayName("123", "endpoint")).isEqualTo("endpoint-123");
        assertThat(VertexNames.fromDisplayName("---", "model")).isEqualTo("model");
        assertThat(VertexNames.fromDisplayName("A very long display name for a model, v2 (final)", "model"))
                .hasSizeLessThanOrEqualTo(30)
                .matches(VertexNames.ENDPOINT);
        assertThat(VertexNames.withSuffix("iris")).matches("iris-[a-z0-9]{5}");
    }

    @Test
    void aJobsSpecOverridesTheModelsFieldByField() throws Exception {
        VertexExplanationSpec model = ExplanationSpecs.fromRequest(
                json("{\"parameters\":{\"xraiAttribution\":{\"stepCount\":20}},\"metadata\":{\"inputs\":{}}}"), "m");
        VertexExplanationSpec job = ExplanationSpecs.fromRequest(
                json("{\"parameters\":{\"integratedGradientsAttribution\":{\"stepCount\":50}}}"), "j");
        VertexExplanationSpec merged = ExplanationSpecs.over(job, model);
        assertThat(merged.getParameters().getIntegratedGradientsAttribution().getStepCount())
                .isEqualTo(50);
        assertThat(merged.getParameters().getXraiAttribution()).isNull();
        assertThat(merged.getMetadata()).isEqualTo(json("{\"inputs\":{}}"));
        assertThat(ExplanationSpecs.over(null, model)).isSameAs(model);
    }

    static ExplainableModel endpoint(long generation, Long observed, String state, String reason, String message) {
        VersionSpec v = Models.version("v1-2", 0);
        ExplainableModel m = Models.model("iris-ep", "v1-2", v);
        m.getMetadata().setNamespace("demo");
        m.getMetadata().setGeneration(generation);
        m.getMetadata().setResourceVersion("4711");
        m.getMetadata()
                .setAnnotations(new java.util.HashMap<>(Map.of(
                        "serving.explainable.dev/display-name",
                        "Iris endpoint",
                        "vertex.serving.explainable.dev/deployed.v1-2",
                        "{\"model\":\"iris\",\"displayName\":\"iris-v1\"}")));
        ExplainableModelStatus s = new ExplainableModelStatus();
        s.setObservedGeneration(observed);
        VersionStatus vs = new VersionStatus("v1-2");
        vs.setState(state);
        vs.setReason(reason);
        vs.setMessage(message);
        s.getVersions().add(vs);
        m.setStatus(s);
        return m;
    }
}
