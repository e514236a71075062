package dev.explainable.serving.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.config.OperatorConfig;

/** The pure spec -> objects mapping: which objects, their shared metadata, the Services, PDBs and Ingress. */
class DesiredStateTest {

    static final OperatorConfig CONFIG = TestConfig.of();

    static ExplainableModel twoVersions() {
        return Models.model("flowers", "v2", Models.version("v1", 0), Models.version("v2", 1));
    }

    static <T> T find(List<HasMetadata> objects, Class<T> kind, String name) {
        return objects.stream()
                .filter(kind::isInstance)
                .filter(o -> o.getMetadata().getName().equals(name))
                .map(kind::cast)
                .findFirst()
                .orElseThrow(() -> new AssertionError(kind.getSimpleName() + " " + name));
    }

    @Test
    void perVersionConfigMapDeploymentServiceAndAModelService() {
        List<HasMetadata> objects = DesiredState.of(twoVersions(), CONFIG);
        assertThat(objects)
                .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactly(
                        "NetworkPolicy/flowers",
                        "ConfigMap/flowers-v1-explain",
                        "ConfigMap/flowers-v2-explain",
                        "ConfigMap/flowers-explain-versions",
                        "Deployment/flowers-v1",
                        "Service/flowers-v1",
                        "Deployment/flowers-v2",
                        "Service/flowers-v2",
                        "Service/flowers");
        for (HasMetadata o : objects) {
            assertThat(o.getMetadata().getNamespace()).isEqualTo("team-a");
            assertThat(o.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(r -> assertThat(r.getUid()).isEqualTo("uid-1"));
            assertThat(o.getMetadata().getLabels())
                    .containsEntry("app.kubernetes.io/managed-by", "explainable-serving-operator")
                    .containsEntry("serving.explainable.dev/model", "flowers");
        }
    }

    @Test
    void disruptionBudgetOnlyForVersionsWithMoreThanOneReplica() {
        ExplainableModel m = twoVersions();
        m.getSpec().getVersions().get(1).setReplicas(3);
        List<HasMetadata> objects = DesiredState.of(m, CONFIG);
        assertThat(objects)
                .filteredOn(o -> o instanceof PodDisruptionBudget)
                .extracting(o -> o.getMetadata().getName())
                .containsExactly("flowers-v2");
        PodDisruptionBudget pdb = find(objects, PodDisruptionBudget.class, "flowers-v2");
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getMinAvailable()).isNull();
        assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .isEqualTo(Map.of("serving.explainable.dev/model", "flowers", "serving.explainable.dev/version", "v2"));
        assertThat(pdb.getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
        assertThat(pdb.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(r -> assertThat(r.getUid()).isEqualTo("uid-1"));
        assertThat(pdb.getMetadata().getLabels()).containsEntry("serving.explainable.dev/version", "v2");
        m.getSpec().getVersions().get(1).setReplicas(1);
        assertThat(DesiredState.of(m, CONFIG)).noneMatch(o -> o instanceof PodDisruptionBudget);
    }

    @Test
    void modelServiceSelectsTheDefaultVersionOnly() {
        ExplainableModel m = twoVersions();
        Service s = DesiredService.forModel(m);
        assertThat(s.getSpec().getSelector())
                .isEqualTo(Map.of("serving.explainable.dev/model", "flowers", "serving.explainable.dev/version", "v2"));
        m.getSpec().setDefaultVersion("v1");
        assertThat(DesiredService.forModel(m).getSpec().getSelector())
                .containsEntry("serving.explainable.dev/version", "v1");
        // the Deployments do not change with the default
        assertThat(DesiredDeployment.of(m, m.getSpec().getVersions().get(1), CONFIG))
                .isEqualTo(DesiredDeployment.of(
                        twoVersions(), twoVersions().getSpec().getVersions().get(1), CONFIG));
    }

    @Test
    void ingressHasExactPathsForModelAndVersions() {
        List<HasMetadata> objects =
                DesiredState.of(twoVersions(), TestConfig.of("explainable.operator.ingress.enabled", "true"));
        Ingress ing = find(objects, Ingress.class, "flowers");
        assertThat(ing.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ing.getSpec().getRules().get(0).getHttp().getPaths())
                .extracting(p -> p.getPathType() + " " + p.getPath() + " -> "
                        + p.getBackend().getService().getName())
                .contains(
                        "Exact /v1/projects/team-a/models/flowers:explain -> flowers",
                        "Exact /v1/projects/team-a/models/flowers/versions/v1:explain -> flowers-v1",
                        "Exact /v1/projects/team-a/models/flowers/versions/v2:predict -> flowers-v2",
                        "Exact /v1/projects/team-a/models/flowers:predict -> flowers",
                        "Exact /v1/projects/team-a/locations/us-central1/endpoints/flowers:explain -> flowers",
                        "Exact /v1beta1/projects/team-a/locations/us-central1/endpoints/flowers:predict -> flowers");
    }

    /**
     * A model without versions has no per-version object; the model's own are there as for any model, its Service
     * selecting no pod and its versions ConfigMap listing none.
     */
    @Test
    void aModelWithoutVersionsHasOnlyTheModelsObjects() {
        ExplainableModel m = Models.model("flowers", null);
        List<HasMetadata> objects = DesiredState.of(m, TestConfig.of("explainable.operator.ingress.enabled", "true"));
        assertThat(objects)
                .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactly(
                        "NetworkPolicy/flowers",
                        "ConfigMap/flowers-explain-versions",
                        "Service/flowers",
                        "Ingress/flowers");
        assertThat(find(objects, Service.class, "flowers").getSpec().getSelector())
                .isEqualTo(Map.of("serving.explainable.dev/model", "flowers", "serving.explainable.dev/version", ""));
        assertThat(find(objects, ConfigMap.class, "flowers-explain-versions").getData())
                .isEqualTo(Map.of("versions", ""));
        assertThat(find(objects, Ingress.class, "flowers")
                        .getSpec()
                        .getRules()
                        .get(0)
                        .getHttp()
                        .getPaths())
                .extracting(
                        p -> p.getPath() + " -> " + p.getBackend().getService().getName())
                .containsExactlyInAnyOrder(
                        "/v1/projects/team-a/models/flowers:explain -> flowers",
                        "/v1/projects/team-a/models/flowers:predict -> flowers",
                        "/v1/projects/team-a/locations/us-central1/endpoints/flowers:explain -> flowers",
                        "/v1beta1/projects/team-a/locations/us-central1/endpoints/flowers:explain -> flowers",
                        "/v1/projects/team-a/locations/us-central1/endpoints/flowers:predict -> flowers",
                        "/v1beta1/projects/team-a/locations/us-central1/endpoints/flowers:predict -> flowers");
        assertThat(VersionConfig.of(m)).isEmpty();
    }

    /** Written without versions, or without a spec at all, a model reads as one with no versions. */
    @Test
    void aModelWrittenWithoutVersionsOrSpecHasNone() {
        for (String yaml : List.of(
                "apiVersion: serving.explainable.dev/v1alpha1\nkind: ExplainableModel\n"
                        + "metadata: {name: flowers, namespace: team-a, uid: uid-1}\n",
                "apiVersion: serving.explainable.dev/v1alpha1\nkind: ExplainableModel\n"
                        + "metadata: {name: flowers, namespace: team-a, uid: uid-1}\nspec: {}\n",
                "apiVersion: serving.explainable.dev/v1alpha1\nkind: ExplainableModel\n"
                        + "metadata: {name: flowers, namespace: team-a, uid: uid-1}\nspec: {versions: null}\n")) {
            ExplainableModel m = Serialization.unmarshal(yaml, ExplainableModel.class);
            assertThat(m.getSpec().getVersions()).as(yaml).isEmpty();
            assertThat(m.getSpec().hasVersions()).isFalse();
            assertThat(DesiredState.of(m, CONFIG))
                    .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                    .containsExactly("NetworkPolicy/flowers", "ConfigMap/flowers-explain-versions", "Service/flowers");
        }
    }
}
