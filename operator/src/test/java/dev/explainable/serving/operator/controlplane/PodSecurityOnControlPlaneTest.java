package dev.explainable.serving.operator.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.StorageSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.dependent.DesiredDeployment;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.testkit.ControlPlane;

/**
 * Every pod the project creates passes the "restricted" Pod Security Standard, as the real API server's built-in
 * PodSecurity admission judges it in a namespace labelled {@code pod-security.kubernetes.io/enforce=restricted}: the
 * runtime pods of every kind of version (init container included) and the chart's operator Deployment. The pods are
 * made by the real ReplicaSet controller (kwok runs them); a refused pod would show as a FailedCreate event and a
 * missing pod. That the check can fail is shown too: a pod without seccompProfile is refused, and so are the pods of
 * a file:// version (hostPath), even where the operator's policy allows that path.
 */
class PodSecurityOnControlPlaneTest {

    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static final String RESTRICTED = "restricted";

    @RegisterExtension
    static final OperatorOnControlPlane cluster = OperatorOnControlPlane.shared(TestConfig.of());

    static KubernetesClient client;

    @BeforeAll
    static void restrictedNamespace() {
        client = cluster.client();
        cluster.namespace(
                RESTRICTED,
                Map.of(
                        "pod-security.kubernetes.io/enforce", "restricted",
                        "pod-security.kubernetes.io/enforce-version", "latest"));
    }

    static VersionSpec version(String name, String uri, int gpus, int replicas) {
        VersionSpec v = Models.version(name, gpus);
        v.setModelUri(uri);
        v.setReplicas(replicas);
        // kwok's nodes are tainted: a test-harness need
        v.setTolerations(List.of(new TolerationBuilder()
                .withKey(ControlPlane.KWOK_TAINT)
                .withOperator("Exists")
                .withEffect("NoSchedule")
                .build()));
        return v;
    }

    static ExplainableModel create(String name, VersionSpec... versions) {
        return cluster.create(RESTRICTED, name, versions);
    }

    static List<Pod> pods(String labelKey, String labelValue) {
        return client.pods()
                .inNamespace(RESTRICTED)
                .withLabel(labelKey, labelValue)
                .list()
                .getItems();
    }

    /** FailedCreate events of the ReplicaSets whose name starts with {@code prefix}: pods admission refused. */
    static List<Event> failedCreates(String prefix) {
        return client.v1().events().inNamespace(RESTRICTED).list().getItems().stream()
                .filter(e -> "FailedCreate".equals(e.getReason()))
                .filter(e -> e.getInvolvedObject().getName().startsWith(prefix))
                .toList();
    }

    @Test
    void runtimePodsOfEveryKindOfVersionAreAdmitted() {
        // an http(s) archive (model fetcher init container), two replicas on a PVC, and a GPU version
        create(
                "m",
                version("v1", "https://models.example.org/m/model.tar.gz", 0, 1),
                version("v2", "pvc://models-claim/m/2", 0, 2),
                version("v3", "pvc://models-claim/m/3", 1, 1));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(pods(Labels.VERSION, "v1")).hasSize(1);
            assertThat(pods(Labels.VERSION, "v2")).hasSize(2);
            assertThat(pods(Labels.VERSION, "v3")).hasSize(1);
        });
        assertThat(pods(Labels.VERSION, "v1").get(0).getSpec().getInitContainers())
                .hasSize(1);
        assertThat(failedCreates("m-")).isEmpty();
        assertThat(client.apps()
                        .replicaSets()
                        .inNamespace(RESTRICTED)
                        .withLabel(Labels.MODEL, "m")
                        .list()
                        .getItems())
                .allSatisfy(rs -> assertThat(rs.getStatus().getConditions())
                        .noneMatch(c -> "ReplicaFailure".equals(c.getType())));
    }

    @Test
    void fetcherPodsWithCloudCredentialsAreAdmitted() {
        // gs:// with a service-account key Secret, s3:// with access keys from a Secret, both as a ServiceAccount of
        // the namespace (Workload Identity, IRSA): the fetcher init container, its secret volume and env refs
        client.serviceAccounts()
                .inNamespace(RESTRICTED)
                .resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("model-reader")
                        .endMetadata()
                        .build())
                .create();
        // one version: the fetcher gets the key volume, the S3 settings and the key refs all at once
        ExplainableModel m = Models.model("stores", "gcs", version("gcs", "gs://models/m/1", 0, 1));
        m.getMetadata().setNamespace(RESTRICTED);
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        StorageSpec storage = new StorageSpec();
        storage.setServiceAccountName("model-reader");
        storage.setGcs(new StorageSpec.Gcs());
        StorageSpec.SecretKey key = new StorageSpec.SecretKey();
        key.setName("gcs-reader-key");
        storage.getGcs().setCredentialsSecret(key);
        storage.setS3(new StorageSpec.S3());
        storage.getS3().setEndpoint("https://objects.example.org");
        storage.getS3().setPathStyle(true);
        StorageSpec.S3Secret keys = new StorageSpec.S3Secret();
        keys.setName("s3-keys");
        storage.getS3().setCredentialsSecret(keys);
        m.getSpec().setStorage(storage);
        client.resource(m).create();
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(pods(Labels.MODEL, "stores")).hasSize(1));
        assertThat(pods(Labels.MODEL, "stores")).allSatisfy(p -> {
            assertThat(p.getSpec().getServiceAccountName()).isEqualTo("model-reader");
            assertThat(p.getSpec().getInitContainers()).hasSize(1);
        });
        assertThat(failedCreates("stores-")).isEmpty();
    }

    @Test
    void nonCompliantPodsAreRefused() {
        // the runtime pod as the operator makes it, less its seccomp profile: refused by the API server itself
        ExplainableModel m = Models.model("plain", "v1", version("v1", "pvc://models-claim/x", 0, 1));
        Deployment d = DesiredDeployment.of(m, m.getSpec().getVersions().get(0), TestConfig.of());
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withName("no-seccomp")
                .withNamespace(RESTRICTED)
                .endMetadata()
                .withSpec(d.getSpec().getTemplate().getSpec())
                .build();
        pod.getSpec().getSecurityContext().setSeccompProfile(null);
        assertThatThrownBy(() -> client.resource(pod).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("violates PodSecurity \"restricted:latest\"", "seccompProfile");
                });
        // with it, the same pod is admitted (dry run: nothing is stored)
        pod.getSpec()
                .getSecurityContext()
                .setSeccompProfile(DesiredDeployment.podSecurityContext().getSeccompProfile());
        assertThat(client.resource(pod).dryRun().create().getMetadata().getName())
                .isEqualTo("no-seccomp");

        // a file:// version (allowed by the test's operator policy) mounts a hostPath, which "restricted" forbids:
        // its ReplicaSet's pods are refused, and that shows as FailedCreate (what the other tests assert is absent)
        create("hostpath", version("v1", "file://" + TestConfig.MODEL_PATH + "/x", 0, 1));
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(failedCreates("hostpath-v1-"))
                        .anySatisfy(e -> assertThat(e.getMessage()).contains("violates PodSecurity", "hostPath")));
        assertThat(pods(Labels.MODEL, "hostpath")).isEmpty();
    }

    @Test
    void chartOperatorDeploymentIsAdmitted() throws Exception {
        List<HasMetadata> rendered = HelmChartOnControlPlaneTest.render(cluster.cp());
        ServiceAccount sa = (ServiceAccount) rendered.stream()
                .filter(o -> o instanceof ServiceAccount)
                .findFirst()
                .orElseThrow();
        Deployment operatorDeployment = HelmChartOnControlPlaneTest.operatorDeployment(rendered);
        for (HasMetadata o : List.of(sa, operatorDeployment)) {
            o.getMetadata().setNamespace(RESTRICTED);
        }
        // kwok's nodes are tainted: a test-harness need (the chart's tolerations value)
        operatorDeployment
                .getSpec()
                .getTemplate()
                .getSpec()
                .setTolerations(List.of(new TolerationBuilder()
                        .withKey(ControlPlane.KWOK_TAINT)
                        .withOperator("Exists")
                        .withEffect("NoSchedule")
                        .build()));
        client.resource(sa).create();
        client.resource(operatorDeployment).create();
        Map<String, String> selector =
                operatorDeployment.getSpec().getSelector().getMatchLabels();
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(client.pods()
                                .inNamespace(RESTRICTED)
                                .withLabels(selector)
                                .list()
                                .getItems())
                        .hasSize(1));
        assertThat(failedCreates(operatorDeployment.getMetadata().getName())).isEmpty();
    }
}
