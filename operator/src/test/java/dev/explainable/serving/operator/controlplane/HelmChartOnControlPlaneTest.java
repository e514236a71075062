package dev.explainable.serving.operator.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.AutoscalingSpec;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobSpec;
import dev.explainable.serving.operator.api.ExplanationJobStatus;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.GpuTolerations;
import dev.explainable.serving.operator.reconciler.ExplainableModelReconciler;
import dev.explainable.serving.operator.reconciler.ExplanationJobReconciler;
import dev.explainable.serving.testkit.AuditedCall;
import dev.explainable.serving.testkit.ControlPlane;
import dev.explainable.serving.testkit.ControlPlaneExtension;
import dev.explainable.serving.testkit.HelmChart;
import dev.explainable.serving.testkit.RetryOnConflict;

/**
 * The Helm chart: {@code helm lint}, {@code helm template} (helm built from its Go module, cached with the other
 * binaries), the rendered manifests applied to the real API server, and the chart's least-privilege RBAC diffed
 * against the code: the operator runs as the chart's ServiceAccount (impersonated) watching the release's namespace
 * (the chart's default), must converge a model without a single forbidden call or a call outside that namespace, and
 * the Role must grant nothing beyond the calls the API server's audit log recorded.
 */
class HelmChartOnControlPlaneTest {

    static final Path CHART = HelmChart.dir();
    /** The release's namespace. */
    static final String NAMESPACE = HelmChart.NAMESPACE;
    /** The chart's ServiceAccount, as the API server names it (release in es-system). */
    static final String OPERATOR_SA = HelmChart.OPERATOR_SA;

    /** Its own control plane: the chart applies its CRD and RBAC, and the audit log is read for its operator. */
    @RegisterExtension
    static final ControlPlaneExtension controlPlane = ControlPlaneExtension.own(cp -> cp.addNode("cpu-node-1", 0));

    static ControlPlane cp;
    static KubernetesClient admin;

    @BeforeAll
    static void clients() {
        cp = controlPlane.cp();
        admin = cp.client();
    }

    static String helm(String... args) throws Exception {
        return helm(cp, 0, args);
    }

    /** Runs helm, expecting it to fail; its output. */
    static String helmFails(String... args) throws Exception {
        return helm(cp, 1, args);
    }

    /** Runs the helm built with the control plane (its caches under the control plane's folder). */
    static String helm(ControlPlane on, int exitCode, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(on.binary("helm").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HELM_CACHE_HOME", on.work().resolve("helm-cache").toString());
        pb.environment()
                .put("HELM_CONFIG_HOME", on.work().resolve("helm-config").toString());
        pb.environment().put("HELM_DATA_HOME", on.work().resolve("helm-data").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue())
                .as("helm " + String.join(" ", args) + "\n" + out)
                .isEqualTo(exitCode);
        return out;
    }

    /** The rendered operator Deployment (the chart's only one). */
    static Deployment operatorDeployment(List<HasMetadata> rendered) {
        return (Deployment) rendered.stream()
                .filter(o -> o instanceof Deployment)
                .findFirst()
                .orElseThrow();
    }

    /** The value of an env var of the rendered operator Deployment. */
    static String env(List<HasMetadata> rendered, String name) {
        return operatorDeployment(rendered).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .findFirst()
                .orElseThrow()
                .getValue();
    }

    static List<HasMetadata> render(String... extra) throws Exception {
        return render(cp, extra);
    }

    /** {@code helm template} of the chart as release "es" in es-system, CRD included, as objects. */
    static List<HasMetadata> render(ControlPlane on, String... extra) throws Exception {
        List<String> args = new ArrayList<>(
                List.of("template", "es", CHART.toString(), "--namespace", NAMESPACE, "--include-crds"));
        args.addAll(List.of(extra));
        return on.client()
                .load(new ByteArrayInputStream(
                        helm(on, 0, args.toArray(String[]::new)).getBytes(StandardCharsets.UTF_8)))
                .items();
    }

    @Test
    void lintsAndShipsTheSameCrdBytes() throws Exception {
        assertThat(helm("lint", CHART.toString())).contains("0 chart(s) failed");
        for (String file : List.of(
                "explainablemodels.serving.explainable.dev-v1.yml", "explanationjobs.serving.explainable.dev-v1.yml")) {
            assertThat(Files.readString(CHART.resolve("crds").resolve(file)))
                    .as("helm/explainable-serving/crds must be a copy of crds/")
                    .isEqualTo(Files.readString(
                            ControlPlane.repoRoot().resolve("crds").resolve(file)));
        }
    }

    @Test
    void templateRendersNamespacedRbacByDefaultAndClusterWideOnlyWhenAsked() throws Exception {
        // default: the release's own namespace, a Role there, nothing cluster-wide
        List<HasMetadata> own = render();
        assertThat(own)
                .extracting(HasMetadata::getKind)
                .contains("CustomResourceDefinition", "ServiceAccount", "Role", "RoleBinding", "Deployment", "Service")
                .doesNotContain("ClusterRole", "ServiceMonitor");
        // cluster-wide only the runtime's ServiceAccount's binding to system:auth-delegator (TokenReviews and
        // SubjectAccessReviews, which are cluster-scoped), one per watched namespace
        assertThat(own.stream().filter(o -> o instanceof ClusterRoleBinding).map(o -> (ClusterRoleBinding) o))
                .singleElement()
                .satisfies(b -> {
                    assertThat(b.getRoleRef().getName()).isEqualTo("system:auth-delegator");
                    assertThat(b.getSubjects())
                            .singleElement()
                            .satisfies(sub -> assertThat(sub.getKind() + " " + sub.getNamespace() + "/" + sub.getName())
                                    .isEqualTo("ServiceAccount es-system/explainable-runtime"));
                });
        assertThat(own.stream()
                        .filter(o -> o instanceof ServiceAccount)
                        .map(o -> o.getMetadata().getNamespace() + "/"
                                + o.getMetadata().getName()))
                .containsExactlyInAnyOrder("es-system/explainable-serving-operator", "es-system/explainable-runtime");
        assertThat(env(own, "EXPLAINABLE_OPERATOR_RUNTIME_SERVICE_ACCOUNT")).isEqualTo("explainable-runtime");
        assertThat(env(own, "EXPLAINABLE_OPERATOR_NETWORK_POLICY_ENABLED")).isEqualTo("true");
        assertThat(own.stream()
                        .filter(o -> o instanceof Role)
                        .map(o -> o.getMetadata().getNamespace()))
                .containsExactly("es-system");
        assertThat(env(own, "QUARKUS_OPERATOR_SDK_CONTROLLERS_EXPLAINABLEMODEL_NAMESPACES"))
                .isEqualTo("es-system");
        // the ExplanationJob controller watches the same namespaces (else its informer lists cluster-wide, is refused,
        // and the operator stops)
        assertThat(env(own, "QUARKUS_OPERATOR_SDK_CONTROLLERS_EXPLANATIONJOB_NAMESPACES"))
                .isEqualTo("es-system");
        assertThat(env(own, "EXPLAINABLE_OPERATOR_AUTOSCALING_IN_FLIGHT_METRIC"))
                .isEqualTo("explainable_explanations_in_flight");
        // the default GPU toleration reaches the operator as the JSON list it parses
        assertThat(GpuTolerations.parse(env(own, "EXPLAINABLE_OPERATOR_GPU_TOLERATIONS")))
                .isEqualTo(GpuTolerations.DEFAULT);
        // the policy's allow-lists are empty: the operator gets no setting, so its defaults (none allowed) hold
        assertThat(operatorDeployment(own)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv())
                .noneMatch(e -> e.getName().startsWith("EXPLAINABLE_OPERATOR_POLICY_"));

        List<HasMetadata> cluster = render(
                "--set",
                "watchAllNamespaces=true",
                "--set",
                "ingress.enabled=true",
                "--set",
                "ingress.className=nginx",
                "--set",
                "gpu.nodeSelector.nvidia\\.com/gpu\\.present=true");
        assertThat(cluster)
                .extracting(HasMetadata::getKind)
                .contains("ClusterRole", "ClusterRoleBinding")
                .doesNotContain("Role", "RoleBinding");
        // every namespace: the chart cannot know them, so no runtime ServiceAccount (docs/security.md says how)
        assertThat(cluster.stream()
                        .filter(o -> o instanceof ClusterRoleBinding)
                        .map(o -> ((ClusterRoleBinding) o).getRoleRef().getName()))
                .containsExactly("explainable-serving-operator-es-system");
        assertThat(env(cluster, "QUARKUS_OPERATOR_SDK_CONTROLLERS_EXPLAINABLEMODEL_NAMESPACES"))
                .isEqualTo("JOSDK_ALL_NAMESPACES");
        assertThat(env(cluster, "QUARKUS_OPERATOR_SDK_CONTROLLERS_EXPLANATIONJOB_NAMESPACES"))
                .isEqualTo("JOSDK_ALL_NAMESPACES");
        assertThat(operatorDeployment(cluster).toString())
                .contains("EXPLAINABLE_OPERATOR_INGRESS_CLASS_NAME", "nvidia.com/gpu.present=true");
        // the same rules either way
        ClusterRole clusterRole = (ClusterRole) cluster.stream()
                .filter(o -> o instanceof ClusterRole)
                .findFirst()
                .orElseThrow();
        Role role =
                (Role) own.stream().filter(o -> o instanceof Role).findFirst().orElseThrow();
        assertThat(clusterRole.getRules()).isEqualTo(role.getRules());

        // the heap follows the memory limit (sized for 5,000 models), and an OutOfMemoryError restarts the pod
        assertThat(env(cluster, "JDK_JAVA_OPTIONS")).contains("-XX:MaxRAMPercentage=70", "-XX:+ExitOnOutOfMemoryError");
        assertThat(operatorDeployment(cluster)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getResources()
                        .getLimits()
                        .get("memory")
                        .toString())
                .isEqualTo("1536Mi");
        List<HasMetadata> noTolerations = render("--set", "gpu.tolerations=null");
        assertThat(GpuTolerations.parse(env(noTolerations, "EXPLAINABLE_OPERATOR_GPU_TOLERATIONS")))
                .isEmpty();
        List<HasMetadata> listed = render(
                "--set",
                "watchNamespaces={team-a,team-b}",
                "--set",
                "metrics.serviceMonitor.enabled=true",
                "--set",
                "metrics.podMonitor.enabled=true",
                "--set",
                "metrics.prometheusRule.enabled=true",
                "--set",
                "metrics.grafanaDashboard.enabled=true",
                // the Prometheus Operator's CRDs, as a cluster that has them tells helm
                "--api-versions",
                "monitoring.coreos.com/v1/ServiceMonitor",
                "--api-versions",
                "monitoring.coreos.com/v1/PodMonitor",
                "--api-versions",
                "monitoring.coreos.com/v1/PrometheusRule",
                "--set",
                "policy.allowedModelPaths={/srv/models,/data}",
                "--set",
                "policy.allowedRuntimeImages={registry.example.org/team-a/}");
        assertThat(listed.stream()
                        .filter(o -> o instanceof Role)
                        .map(o -> o.getMetadata().getNamespace()))
                .containsExactlyInAnyOrder("team-a", "team-b");
        assertThat(listed.stream()
                        .filter(o -> o instanceof ClusterRoleBinding)
                        .map(o -> o.getMetadata().getName()))
                .containsExactlyInAnyOrder("explainable-runtime-team-a", "explainable-runtime-team-b");
        assertThat(listed)
                .extracting(HasMetadata::getKind)
                .contains("ServiceMonitor", "PodMonitor", "PrometheusRule")
                .doesNotContain("ClusterRole");
        // the runtime pods of the watched namespaces, on their management port
        HasMetadata podMonitor = listed.stream()
                .filter(o -> o.getKind().equals("PodMonitor"))
                .findFirst()
                .orElseThrow();
        assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(podMonitor))
                .contains("\"matchNames\":[\"team-a\",\"team-b\"]")
                .contains("\"port\":\"management\"");
        assertThat(listed.stream()
                        .filter(o -> o.getKind().equals("ConfigMap"))
                        .map(o -> o.getMetadata().getName()))
                .contains("explainable-serving-dashboard");
        // asked for, but the cluster has no Prometheus Operator: nothing it would refuse; the dashboard's ConfigMap
        List<HasMetadata> noCrds = render(
                "--set",
                "metrics.serviceMonitor.enabled=true",
                "--set",
                "metrics.podMonitor.enabled=true",
                "--set",
                "metrics.prometheusRule.enabled=true",
                "--set",
                "metrics.grafanaDashboard.enabled=true");
        assertThat(noCrds)
                .extracting(HasMetadata::getKind)
                .doesNotContain("ServiceMonitor", "PodMonitor", "PrometheusRule")
                .contains("ConfigMap");
        assertThat(env(listed, "QUARKUS_OPERATOR_SDK_CONTROLLERS_EXPLAINABLEMODEL_NAMESPACES"))
                .isEqualTo("team-a,team-b");
        assertThat(env(listed, "QUARKUS_OPERATOR_SDK_CONTROLLERS_EXPLANATIONJOB_NAMESPACES"))
                .isEqualTo("team-a,team-b");
        assertThat(env(listed, "EXPLAINABLE_OPERATOR_POLICY_ALLOWED_MODEL_PATHS"))
                .isEqualTo("/srv/models,/data");
        assertThat(env(listed, "EXPLAINABLE_OPERATOR_POLICY_ALLOWED_RUNTIME_IMAGES"))
                .isEqualTo("registry.example.org/team-a/");
        // both at once is a mistake, refused
        assertThat(helmFails(
                        "template",
                        "es",
                        CHART.toString(),
                        "--set",
                        "watchAllNamespaces=true",
                        "--set",
                        "watchNamespaces={team-a}"))
                .contains("set either watchAllNamespaces or watchNamespaces, not both");
    }

    @Test
    void renderedChartAppliesAndItsRbacIsExactlyWhatTheOperatorCalls() throws Exception {
        admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(NAMESPACE)
                        .endMetadata()
                        .build())
                .create();
        for (HasMetadata o : render()) {
            admin.resource(o).serverSideApply();
        }
        assertThat(admin.rbac()
                        .clusterRoles()
                        .withName("explainable-serving-operator-" + NAMESPACE)
                        .get())
                .isNull();
        Role role = admin.rbac()
                .roles()
                .inNamespace(NAMESPACE)
                .withName("explainable-serving-operator")
                .get();
        assertThat(role.getRules())
                .noneMatch(r -> r.getVerbs().contains("*") || r.getResources().contains("*"));
        cp.awaitEstablished("explainablemodels.serving.explainable.dev");
        cp.awaitEstablished("explanationjobs.serving.explainable.dev");

        try (KubernetesClient asOperator = cp.clientAs(
                OPERATOR_SA, "system:serviceaccounts", "system:serviceaccounts:" + NAMESPACE, "system:authenticated")) {
            // with ingresses: a model of two versions converges (v2 autoscaled from two replicas, so a
            // PodDisruptionBudget and a HorizontalPodAutoscaler), then the removed version's objects are deleted
            runOperator(asOperator, true, () -> {
                VersionSpec v1 = Models.version("v1", 0);
                v1.setModelUri("file:///srv/models/v1");
                v1.setTolerations(List.of(new TolerationBuilder()
                        .withKey(ControlPlane.KWOK_TAINT)
                        .withOperator("Exists")
                        .withEffect("NoSchedule")
                        .build()));
                VersionSpec v2 = Models.version("v2", 0);
                v2.setModelUri("file:///srv/models/v2");
                v2.setTolerations(v1.getTolerations());
                AutoscalingSpec autoscaling = new AutoscalingSpec();
                autoscaling.setMinReplicas(2);
                autoscaling.setMaxReplicas(3);
                autoscaling.setTargetCPUUtilizationPercentage(80);
                v2.setAutoscaling(autoscaling);
                ExplainableModel m = Models.model("m", "v1", v1, v2);
                m.getMetadata().setNamespace(NAMESPACE);
                m.getMetadata().setUid(null);
                m.getMetadata().setGeneration(null);
                admin.resource(m).create();
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    ExplainableModel got = admin.resources(ExplainableModel.class)
                            .inNamespace(NAMESPACE)
                            .withName("m")
                            .get();
                    assertThat(got.getStatus()).isNotNull();
                    assertThat(got.getStatus().getVersionsReady()).isEqualTo("2/2");
                });
                assertThat(admin.network()
                                .v1()
                                .ingresses()
                                .inNamespace(NAMESPACE)
                                .withName("m")
                                .get())
                        .isNotNull();
                assertThat(admin.network()
                                .v1()
                                .networkPolicies()
                                .inNamespace(NAMESPACE)
                                .withName("m")
                                .get())
                        .isNotNull();
                assertThat(admin.policy()
                                .v1()
                                .podDisruptionBudget()
                                .inNamespace(NAMESPACE)
                                .withName("m-v2")
                                .get())
                        .isNotNull();
                assertThat(admin.autoscaling()
                                .v2()
                                .horizontalPodAutoscalers()
                                .inNamespace(NAMESPACE)
                                .withName("m-v2")
                                .get())
                        .isNotNull();
                // an ExplanationJob of the model: its Job (kwok completes its pod), its status up to SUCCEEDED
                ExplanationJobSpec spec = new ExplanationJobSpec();
                spec.model = new ExplanationJobSpec.ModelRef();
                spec.model.name = "m";
                spec.inputConfig = new ExplanationJobSpec.InputConfig();
                spec.inputConfig.uris = List.of("gs://in/a.jsonl");
                spec.inputConfig.instancesFormat = "jsonl";
                spec.outputConfig = new ExplanationJobSpec.OutputConfig();
                spec.outputConfig.outputUriPrefix = "gs://out/batch";
                ExplanationJob ej = new ExplanationJob("ej", spec);
                ej.getMetadata().setNamespace(NAMESPACE);
                admin.resource(ej).create();
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    ExplanationJob got = admin.resources(ExplanationJob.class)
                            .inNamespace(NAMESPACE)
                            .withName("ej")
                            .get();
                    assertThat(got.getStatus()).isNotNull();
                    assertThat(got.getStatus().state).isEqualTo(ExplanationJobStatus.SUCCEEDED);
                });
                RetryOnConflict.edit(
                        admin.resources(ExplainableModel.class)
                                .inNamespace(NAMESPACE)
                                .withName("m"),
                        x -> x.getSpec().getVersions().removeIf(v -> v.getName().equals("v2")));
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    assertThat(admin.apps()
                                    .deployments()
                                    .inNamespace(NAMESPACE)
                                    .withName("m-v2")
                                    .get())
                            .isNull();
                    assertThat(admin.services()
                                    .inNamespace(NAMESPACE)
                                    .withName("m-v2")
                                    .get())
                            .isNull();
                    assertThat(admin.configMaps()
                                    .inNamespace(NAMESPACE)
                                    .withName("m-v2-explain")
                                    .get())
                            .isNull();
                    assertThat(admin.policy()
                                    .v1()
                                    .podDisruptionBudget()
                                    .inNamespace(NAMESPACE)
                                    .withName("m-v2")
                                    .get())
                            .isNull();
                    assertThat(admin.autoscaling()
                                    .v2()
                                    .horizontalPodAutoscalers()
                                    .inNamespace(NAMESPACE)
                                    .withName("m-v2")
                                    .get())
                            .isNull();
                });
            });
            // restarted with ingresses and network policies turned off: the model's Ingress and NetworkPolicy go,
            // with events (recorded just after the deletes, so awaited too before the operator stops)
            runOperator(
                    asOperator,
                    false,
                    () -> await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        assertThat(admin.network()
                                        .v1()
                                        .ingresses()
                                        .inNamespace(NAMESPACE)
                                        .withName("m")
                                        .get())
                                .isNull();
                        assertThat(admin.network()
                                        .v1()
                                        .networkPolicies()
                                        .inNamespace(NAMESPACE)
                                        .withName("m")
                                        .get())
                                .isNull();
                        assertThat(admin.v1()
                                        .events()
                                        .inNamespace(NAMESPACE)
                                        .list()
                                        .getItems())
                                .anyMatch(e -> "Deleted".equals(e.getReason())
                                        && e.getMessage().contains("NetworkPolicy"));
                        assertThat(admin.v1()
                                        .events()
                                        .inNamespace(NAMESPACE)
                                        .list()
                                        .getItems())
                                .anyMatch(e -> "Deleted".equals(e.getReason())
                                        && e.getMessage().contains("Ingress"));
                    }));
        }

        // The diff of the chart's Role against the calls the operator made (the API server's audit log)
        List<AuditedCall> calls = cp.auditedCalls(OPERATOR_SA);
        assertThat(calls).as("the operator's calls").isNotEmpty();
        assertThat(calls).as("forbidden calls").noneMatch(c -> c.code() == 403);
        assertThat(calls)
                .as("every call stays in the watched namespace")
                .allMatch(c -> c.namespace().equals(NAMESPACE));
        Set<String> used = new TreeSet<>();
        calls.forEach(c -> used.addAll(c.permissions()));
        Set<String> granted = new TreeSet<>();
        for (PolicyRule r : role.getRules()) {
            for (String group : r.getApiGroups()) {
                for (String resource : r.getResources()) {
                    r.getVerbs().forEach(v -> granted.add(group + "/" + resource + " " + v));
                }
            }
        }
        System.out.println("operator's calls (group/resource verb): " + used);
        assertThat(granted).as("the Role grants every call the operator made").containsAll(used);
        Set<String> unused = new TreeSet<>(granted);
        unused.removeAll(used);
        assertThat(unused).as("grants the operator never used").isEmpty();
    }

    /**
     * Runs the operator as {@code client} with ingresses and network policies on or off, around {@code scenario},
     * watching the release's namespace as the chart's default configures it.
     */
    static void runOperator(KubernetesClient client, boolean optional, ThrowingRunnable scenario) throws Exception {
        Operator op = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        op.register(
                new ExplainableModelReconciler(
                        client,
                        TestConfig.of(
                                "explainable.operator.ingress.enabled", String.valueOf(optional),
                                "explainable.operator.network-policy.enabled", String.valueOf(optional))),
                c -> c.settingNamespace(NAMESPACE));
        op.register(new ExplanationJobReconciler(client, TestConfig.of()), c -> c.settingNamespace(NAMESPACE));
        op.start();
        try {
            scenario.run();
        } finally {
            op.stop();
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
