package dev.explainable.serving.operator.controlplane;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.operator.dependent.ModelLocation;
import dev.explainable.serving.operator.management.CallerClients;
import dev.explainable.serving.operator.management.ManagementRoutes;
import dev.explainable.serving.testkit.ServiceAccountTokens;

/**
 * What the management API's control-plane tests share: callers (a ServiceAccount with a Role of given rules, and its
 * token in a file, as gcloud's {@code --access-token-file} reads it), and a kubelet's report of a model fetch that
 * failed (kwok runs no init container, so the test says what a kubelet would).
 */
final class ManagementCallers {

    private ManagementCallers() {}

    /**
     * The management API on a plain Vert.x server of {@code vertx} at an ephemeral port of 127.0.0.1 (in the operator
     * it is the Quarkus HTTP server's router), over {@code cluster}'s client configuration; {@code install} puts a
     * family's routes on it.
     */
    static HttpServer serve(Vertx vertx, KubernetesClient cluster, Consumer<ManagementRoutes> install)
            throws Exception {
        Router router = Router.router(vertx);
        install.accept(new ManagementRoutes(router, new CallerClients(cluster.getConfiguration())));
        return vertx.createHttpServer()
                .requestHandler(router)
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    /** The pods of model {@code model} in {@code ns}. */
    static List<Pod> pods(KubernetesClient k, String ns, String model) {
        return k.pods().inNamespace(ns).withLabel(Labels.MODEL, model).list().getItems();
    }

    /** A rule on {@code resources} of {@code group} with {@code verbs}. */
    static PolicyRule rule(String group, List<String> resources, List<String> verbs) {
        return new PolicyRuleBuilder()
                .withApiGroups(group)
                .withResources(resources)
                .withVerbs(verbs)
                .build();
    }

    /** ServiceAccount {@code name} of {@code ns}, bound to a Role of {@code rules}; its token's file. */
    static Path token(KubernetesClient k, String ns, String name, List<PolicyRule> rules) throws Exception {
        k.serviceAccounts()
                .inNamespace(ns)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
        k.rbac()
                .roles()
                .inNamespace(ns)
                .resource(new RoleBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withRules(rules)
                        .build())
                .create();
        k.rbac()
                .roleBindings()
                .inNamespace(ns)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName(name)
                        .withNamespace(ns)
                        .endSubject()
                        .build())
                .create();
        String token = ServiceAccountTokens.request(k, ns, name, null);
        Path file = Files.createTempFile(name, ".token");
        Files.writeString(file, token);
        return file;
    }

    /** Reports {@code pod}'s model fetcher as exited 1 with {@code message}, as a kubelet would. */
    static void fetcherFailed(KubernetesClient k, String ns, Pod pod, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        k.pods().inNamespace(ns).withName(pod.getMetadata().getName()).editStatus(p -> {
            p.getStatus().setPhase("Pending");
            p.getStatus()
                    .setConditions(List.of(new PodConditionBuilder()
                            .withType("PodScheduled")
                            .withStatus("True")
                            .withLastTransitionTime(now)
                            .build()));
            p.getStatus()
                    .setInitContainerStatuses(List.of(new ContainerStatusBuilder()
                            .withName(ModelLocation.FETCHER)
                            .withImage(pod.getSpec().getInitContainers().get(0).getImage())
                            .withReady(false)
                            .withRestartCount(0)
                            .withNewState()
                            .withNewTerminated()
                            .withExitCode(1)
                            .withReason("Error")
                            .withMessage(message)
                            .withStartedAt(now)
                            .withFinishedAt(now)
                            .endTerminated()
                            .endState()
                            .build()));
            return p;
        });
    }
}
