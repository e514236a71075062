package dev.explainable.serving.operator.management.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.api.ExplanationSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.management.GoogleError;

/** AI Platform's Version and Operation, to and from ExplainableModels: what gcloud sends, what it reads back. */
class MlMappingTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void gcloudsVersionBodyBecomesAVersion() throws Exception {
        // as gcloud beta ai-platform versions create sends it (management-batch-facts.md §2)
        VersionSpec v = VersionMapping.fromRequest(
                json(
                        "{\"deploymentUri\":\"gs://bucket/iris/model\","
                                + "\"explanationConfig\":{\"xraiAttribution\":{\"numIntegralSteps\":25}},\"framework\":\"TENSORFLOW\","
                                + "\"machineType\":\"n1-standard-4\",\"name\":\"v1\",\"pythonVersion\":\"3.7\",\"runtimeVersion\":\"2.11\"}"));
        assertThat(v.getName()).isEqualTo("v1");
        assertThat(v.getModelUri()).isEqualTo("gs://bucket/iris/model");
        assertThat(v.getExplanation().getMethod()).isEqualTo(ExplanationSpec.Method.xrai);
        assertThat(v.getExplanation().getIntegralSteps()).isEqualTo(25);
        assertThat(v.getResources().getCpu()).isEqualTo("4");
        assertThat(v.getResources().getMemory()).isEqualTo("15Gi");

        VersionSpec shapley = VersionMapping.fromRequest(
                json(
                        "{\"name\":\"v2\",\"deploymentUri\":\"gs://b/m\","
                                + "\"explanationConfig\":{\"sampledShapleyAttribution\":{\"numPaths\":10}},"
                                + "\"acceleratorConfig\":{\"count\":\"1\",\"type\":\"NVIDIA_TESLA_T4\"},\"manualScaling\":{\"nodes\":2}}"));
        assertThat(shapley.getExplanation().getMethod()).isEqualTo(ExplanationSpec.Method.sampledShapley);
        assertThat(shapley.getExplanation().getPaths()).isEqualTo(10);
        assertThat(shapley.getResources().getGpus()).isEqualTo(1);
        assertThat(shapley.getReplicas()).isEqualTo(2);

        VersionSpec auto = VersionMapping.fromRequest(json(
                "{\"name\":\"v3\",\"deploymentUri\":\"gs://b/m\",\"autoScaling\":{\"minNodes\":2,\"maxNodes\":5}}"));
        assertThat(auto.getAutoscaling().getMinReplicas()).isEqualTo(2);
        assertThat(auto.getAutoscaling().getMaxReplicas()).isEqualTo(5);
        assertThat(auto.getAutoscaling().getTargetCPUUtilizationPercentage()).isEqualTo(60);
        assertThat(auto.getExplanation().getMethod()).isEqualTo(ExplanationSpec.Method.integratedGradients);
    }

    @Test
    void whatCannotBeHonouredIsRefusedNamingTheField() {
        List<String[]> cases = List.of(
                new String[] {
                    "{\"name\":\"v1\",\"deploymentUri\":\"gs://b/m\",\"framework\":\"XGBOOST\"}", "framework XGBOOST"
                },
                new String[] {
                    "{\"name\":\"v1\",\"deploymentUri\":\"gs://b/m\",\"predictionClass\":\"p.C\"}",
                    "custom prediction routines"
                },
                new String[] {"{\"name\":\"v1\",\"deploymentUri\":\"gs://b/m\",\"container\":{}}", "custom containers"},
                new String[] {"{\"name\":\"v1\",\"deploymentUri\":\"gs://b/m\",\"colour\":1}", "Unknown name \"colour\""
                },
                new String[] {"{\"name\":\"my_version\",\"deploymentUri\":\"gs://b/m\"}", "not a name here"},
                new String[] {"{\"name\":\"v1\"}", "deploymentUri is required"},
                new String[] {
                    "{\"name\":\"v1\",\"deploymentUri\":\"gs://b/m\",\"machineType\":\"a2-ultragpu-8g\"}",
                    "machineType a2-ultragpu-8g"
                },
                new String[] {
                    "{\"name\":\"v1\",\"deploymentUri\":\"gs://b/m\",\"explanationConfig\":{\"treeShapAttribution\":{}}}",
                    "treeShapAttribution"
                },
                new String[] {
                    "{\"name\":\"v1\",\"deploymentUri\":\"gs://b/m\",\"explanationConfig\":{\"integratedGradientsAttribution\":{\"numIntegralSteps\":101}}}",
                    "numIntegralSteps must be from 1 to 100"
                },
                new String[] {
                    "{\"name\":\"v1\",\"deploymentUri\":\"gs://b/m\",\"manualScaling\":{\"nodes\":1},\"autoScaling\":{\"minNodes\":1}}",
                    "not both"
                });
        for (String[] c : cases) {
            assertThatThrownBy(() -> VersionMapping.fromRequest(json(c[0])))
                    .as(c[0])
                    .isInstanceOfSatisfying(GoogleError.class, e -> {
                        assertThat(e.status()).isEqualTo("INVALID_ARGUMENT");
                        assertThat(e.httpStatus()).isEqualTo(400);
                    })
                    .hasMessageContaining(c[1]);
        }
    }

    static ExplainableModel model(long generation, Long observed, String state, String reason, String message) {
        VersionSpec v1 = Models.version("v1", 0);
        ExplainableModel m = Models.model("iris", "v1", v1);
        m.getMetadata().setNamespace("demo");
        m.getMetadata().setGeneration(generation);
        m.getMetadata().setResourceVersion("4711");
        ExplainableModelStatus s = new ExplainableModelStatus();
        s.setObservedGeneration(observed);
        VersionStatus vs = new VersionStatus("v1");
        vs.setState(state);
        vs.setReason(reason);
        vs.setMessage(message);
        s.getVersions().add(vs);
        m.setStatus(s);
        return m;
    }

    @Test
    void aCreateIsDoneWhenTheVersionIsReadyOrHasFailedInAStatusOfItsGeneration() {
        MlOperations.Id id = MlOperations.parse("create_iris_v1-3");
        assertThat(id).isEqualTo(new MlOperations.Id("create", "iris", "v1", 3));
        assertThat(MlOperations.name("demo", id)).isEqualTo("projects/demo/operations/create_iris_v1-3");

        MlWire.Operation ready = MlOperations.of("demo", id, model(3, 3L, "Available", "MinimumReplicasAvailable", ""));
        assertThat(ready.done()).isTrue();
        assertThat(ready.error()).isNull();
        assertThat(ready.response().get("@type").asText()).isEqualTo("type.googleapis.com/google.cloud.ml.v1.Version");
        assertThat(ready.response().get("state").asText()).isEqualTo("READY");
        assertThat(ready.metadata().type()).isEqualTo("type.googleapis.com/google.cloud.ml.v1.OperationMetadata");
        assertThat(ready.metadata().operationType()).isEqualTo("CREATE_VERSION");

        // a status of an older generation says nothing about this version yet
        assertThat(MlOperations.of("demo", id, model(3, 2L, "Available", "", ""))
                        .done())
                .isFalse();
        assertThat(MlOperations.of("demo", id, model(3, 3L, "Progressing", "Starting", ""))
                        .done())
                .isFalse();
        assertThat(MlOperations.of("demo", id, model(3, 3L, "Degraded", "Unschedulable", "0/3 nodes"))
                        .done())
                .as("may pass when a node is added")
                .isFalse();

        MlWire.Operation failed = MlOperations.of(
                "demo", id, model(3, 3L, "Degraded", "ModelFetchFailed", "fetch-model: gs://b/iris/1: not found"));
        assertThat(failed.done()).isTrue();
        assertThat(failed.error().code()).isEqualTo(9);
        assertThat(failed.error().message()).contains("ModelFetchFailed: fetch-model: gs://b/iris/1: not found");

        assertThat(MlOperations.of("demo", id, null).error().message()).contains("deleted");
        assertThatThrownBy(() -> MlOperations.parse("../../etc")).isInstanceOf(GoogleError.class);
        assertThat(MlOperations.parse("create_my-model_v1-2-17"))
                .isEqualTo(new MlOperations.Id("create", "my-model", "v1-2", 17));
    }

    @Test
    void theVersionReadsBackWithItsStateDefaultAndABase64Etag() {
        ExplainableModel m = model(3, 3L, "Degraded", "ModelLoadFailed", "no saved_model.pb");
        MlWire.Version v =
                VersionMapping.toWire("demo", m, m.getSpec().getVersions().get(0));
        assertThat(v.name()).isEqualTo("projects/demo/models/iris/versions/v1");
        assertThat(v.state()).isEqualTo("FAILED");
        assertThat(v.errorMessage()).isEqualTo("ModelLoadFailed: no saved_model.pb");
        assertThat(v.isDefault()).isTrue();
        assertThat(v.framework()).isEqualTo("TENSORFLOW");
        assertThat(new String(Base64.getDecoder().decode(v.etag()))).isEqualTo("4711");
        assertThat(MlModels.toWire("demo", m).defaultVersion().name()).isEqualTo(v.name());
    }
}
