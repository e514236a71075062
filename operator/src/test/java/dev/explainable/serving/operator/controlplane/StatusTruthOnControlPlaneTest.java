package dev.explainable.serving.operator.controlplane;

import static dev.explainable.serving.operator.controlplane.OperatorOnControlPlane.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.testkit.RetryOnConflict;

/**
 * Status tells the truth, on the real control plane. kwok plays the kubelet: where a test needs a pod state kwok
 * does not produce (a restart, a failing init container), the pod is annotated {@code kwok.x-k8s.io/status=custom}
 * (kwok then leaves its status alone) and its status is written as a kubelet would; everything above the pod
 * (ReplicaSets, the Deployment's counts and conditions, quota) is the real controllers' doing.
 */
class StatusTruthOnControlPlaneTest {

    static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final OperatorOnControlPlane cluster = OperatorOnControlPlane.shared(TestConfig.of());

    static KubernetesClient client;

    @BeforeAll
    static void client() {
        client = cluster.client();
    }

    /** The model's status at its current generation, once it satisfies {@code check}. */
    static void awaitStatus(String ns, String name, ThrowingConsumer<ExplainableModel> check) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplainableModel m = cluster.get(ns, name);
            assertThat(m.getStatus()).isNotNull();
            assertThat(m.getStatus().getObservedGeneration())
                    .isEqualTo(m.getMetadata().getGeneration());
            check.accept(m);
        });
    }

    static void awaitVersion(String ns, String name, String state, String reason, String messagePart) {
        awaitStatus(ns, name, m -> {
            VersionStatus v = m.getStatus().getVersions().get(0);
            assertThat(v.getState()).isEqualTo(state);
            assertThat(v.getReason()).isEqualTo(reason);
            assertThat(v.getMessage()).contains(messagePart);
            assertThat(condition(m, "Ready").getStatus()).isEqualTo(state.equals("Available") ? "True" : "False");
            assertThat(condition(m, "Degraded").getStatus()).isEqualTo(state.equals("Degraded") ? "True" : "False");
            if (state.equals("Degraded")) {
                assertThat(condition(m, "Degraded").getReason()).isEqualTo(reason);
            }
        });
    }

    static void awaitReady(String ns, String name) {
        awaitVersion(ns, name, "Available", "MinimumReplicasAvailable", "1/1 replicas ready");
    }

    /** The model's one pod, taken over from kwok: from now on its status is what the test writes. */
    static Pod takeOverPod(String ns, String model) {
        Pod pod = client.pods()
                .inNamespace(ns)
                .withLabel(Labels.MODEL, model)
                .list()
                .getItems()
                .get(0);
        return client.pods()
                .inNamespace(ns)
                .withName(pod.getMetadata().getName())
                .edit(p -> new PodBuilder(p)
                        .editMetadata()
                        .addToAnnotations("kwok.x-k8s.io/status", "custom")
                        .endMetadata()
                        .build());
    }

    /** Writes the pod's status as a kubelet would (the status subresource). */
    static void kubeletReports(
            String ns,
            Pod pod,
            boolean ready,
            UnaryOperator<ContainerStatusBuilder> runtime,
            List<ContainerStatus> initContainers,
            String phase) {
        client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).editStatus(p -> {
            var status = p.getStatus();
            status.setPhase(phase);
            status.getConditions()
                    .removeIf(c -> c.getType().equals("Ready") || c.getType().equals("ContainersReady"));
            for (String type : List.of("Ready", "ContainersReady")) {
                status.getConditions()
                        .add(new PodConditionBuilder()
                                .withType(type)
                                .withStatus(ready ? "True" : "False")
                                .build());
            }
            status.setContainerStatuses(List.of(runtime.apply(new ContainerStatusBuilder()
                            .withName("runtime")
                            .withImage("example.org/runtime:1")
                            .withImageID("")
                            .withReady(ready)
                            .withStarted(ready))
                    .build()));
            status.setInitContainerStatuses(initContainers);
            return p;
        });
    }

    @Test
    void aPodThatRestartedOnceAndIsReadyAgainIsReportedAvailable() {
        String ns = cluster.namespace("restarted");
        cluster.create(ns, "m", OperatorOnControlPlaneTest.version("v1", 0));
        awaitReady(ns, "m");
        Pod pod = takeOverPod(ns, "m");
        // OOMKilled just now: the runtime is down, it fails now
        kubeletReports(
                ns,
                pod,
                false,
                c -> c.withRestartCount(0)
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(137)
                        .withReason("OOMKilled")
                        .endTerminated()
                        .endState(),
                List.of(),
                "Running");
        awaitVersion(ns, "m", "Degraded", "ModelLoadFailed", "runtime exited with code 137 (OOMKilled)");
        // restarted, running and ready again: the restart is history, not a failure
        kubeletReports(
                ns,
                pod,
                true,
                c -> c.withRestartCount(1)
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt("2026-01-01T00:01:00Z")
                        .endRunning()
                        .endState()
                        .withNewLastState()
                        .withNewTerminated()
                        .withExitCode(137)
                        .withReason("OOMKilled")
                        .endTerminated()
                        .endLastState(),
                List.of(),
                "Running");
        awaitReady(ns, "m");
        assertThat(client.pods()
                        .inNamespace(ns)
                        .withName(pod.getMetadata().getName())
                        .get()
                        .getStatus()
                        .getContainerStatuses()
                        .get(0)
                        .getRestartCount())
                .isEqualTo(1);
        ExplainableModel m = cluster.get(ns, "m");
        assertThat(condition(m, "Available").getStatus()).isEqualTo("True");
        assertThat(m.getStatus().getConditions())
                .extracting(Condition::getType)
                .containsExactly("Ready", "Available", "Progressing", "Degraded");
    }

    @Test
    void aCrashLoopingInitContainerIsModelFetchFailedWithItsMessage() {
        String ns = cluster.namespace("fetch");
        VersionSpec v = OperatorOnControlPlaneTest.version("v1", 0);
        v.setModelUri("http://models.invalid/missing.tar.gz");
        cluster.create(ns, "m", v);
        awaitReady(ns, "m"); // kwok runs no container: its pods start whatever they hold
        Pod pod = takeOverPod(ns, "m");
        kubeletReports(
                ns,
                pod,
                false,
                c -> c.withNewState()
                        .withNewWaiting()
                        .withReason("PodInitializing")
                        .endWaiting()
                        .endState(),
                List.of(new ContainerStatusBuilder()
                        .withName("fetch-model")
                        .withImage("busybox:1.36")
                        .withImageID("")
                        .withReady(false)
                        .withRestartCount(3)
                        .withNewState()
                        .withNewWaiting()
                        .withReason("CrashLoopBackOff")
                        .withMessage("back-off 40s restarting failed container")
                        .endWaiting()
                        .endState()
                        .withNewLastState()
                        .withNewTerminated()
                        .withExitCode(1)
                        .withReason("Error")
                        .withMessage("wget: bad address 'models.invalid'")
                        .endTerminated()
                        .endLastState()
                        .build()),
                "Pending");
        awaitVersion(ns, "m", "Degraded", "ModelFetchFailed", "wget: bad address 'models.invalid'");
    }

    @Test
    void podsRefusedByAQuotaAreDegradedWithTheControllersMessage() {
        String ns = cluster.namespace("quota");
        client.resourceQuotas()
                .inNamespace(ns)
                .resource(new ResourceQuotaBuilder()
                        .withNewMetadata()
                        .withName("no-pods")
                        .endMetadata()
                        .withNewSpec()
                        .addToHard("pods", new Quantity("0"))
                        .endSpec()
                        .build())
                .create();
        cluster.create(ns, "m", OperatorOnControlPlaneTest.version("v1", 0));
        // the ReplicaSet controller's FailedCreate, copied by the deployment controller into ReplicaFailure
        awaitVersion(ns, "m", "Degraded", "FailedCreate", "exceeded quota: no-pods");
        assertThat(condition(cluster.get(ns, "m"), "Degraded").getMessage()).contains("v1 FailedCreate", "forbidden");
    }

    @Test
    void aRolloutPastItsProgressDeadlineIsDegraded() {
        String ns = cluster.namespace("deadline");
        cluster.create(ns, "m", OperatorOnControlPlaneTest.version("v1", 0));
        awaitReady(ns, "m");
        // A rollout whose new pod never starts: kwok leaves pods with this annotation alone (no container, no
        // failure to report), and the deadline is cut to 1 s. Written by another field manager, so the operator's
        // apply neither conflicts with nor removes it.
        client.apps().deployments().inNamespace(ns).withName("m-v1").edit(d -> {
            d.getSpec().setProgressDeadlineSeconds(1);
            d.getSpec().getTemplate().getMetadata().getAnnotations().put("kwok.x-k8s.io/status", "custom");
            return d;
        });
        awaitVersion(ns, "m", "Degraded", "ProgressDeadlineExceeded", "has timed out progressing");
        // the old pod still serves: Available, not Ready
        assertThat(condition(cluster.get(ns, "m"), "Available").getStatus()).isEqualTo("True");
    }

    /** Right after an edit, the new generation is not Ready before its pods are. */
    @Test
    void anEditIsNotReadyBeforeItsNewPodIs() {
        String ns = cluster.namespace("edit");
        cluster.create(ns, "m", OperatorOnControlPlaneTest.version("v1", 0));
        awaitReady(ns, "m");
        Pod old = client.pods()
                .inNamespace(ns)
                .withLabel(Labels.MODEL, "m")
                .list()
                .getItems()
                .get(0);
        // the new pod stays Pending (no node fits), the old ready pod keeps serving
        RetryOnConflict.edit(
                client.resources(ExplainableModel.class).inNamespace(ns).withName("m"),
                m -> m.getSpec().getVersions().get(0).setNodeSelector(Map.of("no-such", "node")));
        awaitStatus(ns, "m", m -> {
            assertThat(m.getStatus().getVersions().get(0).getState()).isNotEqualTo("Available");
            assertThat(condition(m, "Ready").getStatus()).isEqualTo("False");
            assertThat(condition(m, "Available").getStatus()).isEqualTo("True");
        });
        assertThat(client.pods()
                        .inNamespace(ns)
                        .withName(old.getMetadata().getName())
                        .get()
                        .getStatus()
                        .getConditions())
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
        // and it never says Ready while the new pod cannot run
        await().during(Duration.ofSeconds(5))
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                condition(cluster.get(ns, "m"), "Ready").getStatus())
                        .isEqualTo("False"));
    }

    /**
     * A metadata edit rolls a new pod while the old ready one serves: Ready must turn False and come back only once
     * the new pod is ready (not stay True on the old pod's strength, as `kubectl rollout status` would not).
     */
    @Test
    void afterAnEditReadyReturnsOnlyWithTheNewPod() {
        String ns = cluster.namespace("reroll");
        cluster.create(ns, "m", OperatorOnControlPlaneTest.version("v1", 0));
        awaitReady(ns, "m");
        String oldHash = cluster.get(ns, "m").getStatus().getVersions().get(0).getConfigHash();
        // every version of the model the API server stores from here on (each status patch is one watch event)
        List<ExplainableModel> seen = new CopyOnWriteArrayList<>();
        try (var watch = client.resources(ExplainableModel.class)
                .inNamespace(ns)
                .withName("m")
                .watch(new Watcher<ExplainableModel>() {
                    @Override
                    public void eventReceived(Action action, ExplainableModel m) {
                        seen.add(m);
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                })) {
            RetryOnConflict.edit(
                    client.resources(ExplainableModel.class).inNamespace(ns).withName("m"),
                    m -> Models.withMetadata(
                            m.getSpec().getVersions().get(0),
                            "{\"inputs\": {\"x\": "
                                    + "{\"input_tensor_name\": \"x:0\"}}, \"outputs\": {\"y\": {\"output_tensor_name\": \"y:0\"}}}"));
            awaitReady(ns, "m");
        }
        ExplainableModel m = cluster.get(ns, "m");
        String hash = m.getStatus().getVersions().get(0).getConfigHash();
        assertThat(hash).isNotEqualTo(oldHash);
        // the first status written for the new generation: its pod cannot be ready yet, the old one must not count
        ExplainableModel first = seen.stream()
                .filter(x -> x.getStatus() != null
                        && m.getMetadata().getGeneration().equals(x.getStatus().getObservedGeneration()))
                .findFirst()
                .orElseThrow();
        assertThat(condition(first, "Ready").getStatus()).isEqualTo("False");
        assertThat(first.getStatus().getVersions().get(0).getState()).isEqualTo("Progressing");
        // and Ready came back no earlier than the new pod's readiness (RFC 3339 at seconds: ordered as strings)
        Pod newPod = client.pods().inNamespace(ns).withLabel(Labels.MODEL, "m").list().getItems().stream()
                .filter(p -> hash.equals(p.getMetadata().getAnnotations().get(Labels.CONFIG_HASH)))
                .findFirst()
                .orElseThrow();
        String podReadySince = newPod.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("Ready"))
                .findFirst()
                .orElseThrow()
                .getLastTransitionTime();
        assertThat(condition(m, "Ready").getLastTransitionTime()).isGreaterThanOrEqualTo(podReadySince);
    }

    interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }
}
