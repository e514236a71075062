package dev.explainable.serving.operator.dependent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.OperatorConfig;

/**
 * The Kubernetes objects an {@link ExplainableModel} stands for: pure functions of the resource and the operator
 * configuration, so the operator's workflow only applies what comes out and deletes what no longer does. One class per kind
 * builds it ({@link DesiredConfigMap}, {@link DesiredDeployment}, {@link DesiredService},
 * {@link DesiredPodDisruptionBudget}, {@link DesiredHorizontalPodAutoscaler}, {@link DesiredIngress},
 * {@link DesiredNetworkPolicy}); the names and
 * metadata they share are here.
 */
public final class DesiredState {

    private DesiredState() {}

    /**
     * Every object the model needs, in apply order (ConfigMaps before the Deployments that mount them, a Deployment
     * before the autoscaler that scales it).
     */
    public static List<HasMetadata> of(ExplainableModel m, OperatorConfig config) {
        return of(m, config, VersionConfig.of(m));
    }

    /** As {@link #of(ExplainableModel, OperatorConfig)}, with each version's configuration computed already. */
    public static List<HasMetadata> of(ExplainableModel m, OperatorConfig config, Map<String, VersionConfig> configs) {
        List<HasMetadata> out = new ArrayList<>();
        // who may reach the pods, before there are any
        if (config.networkPolicy().enabled()) {
            out.add(DesiredNetworkPolicy.of(m, config));
        }
        for (VersionSpec v : m.getSpec().getVersions()) {
            out.add(DesiredConfigMap.of(m, v, configs.get(v.getName())));
        }
        out.add(DesiredConfigMap.forModel(m));
        for (VersionSpec v : m.getSpec().getVersions()) {
            out.add(DesiredDeployment.of(m, v, configs.get(v.getName()), config));
            out.add(DesiredService.forVersion(m, v));
            // an autoscaled version may grow past one pod: its budget keeps drains to one pod at a time then, and
            // at one pod it still lets that pod go (maxUnavailable 1)
            if (autoscaled(v) ? v.getAutoscaling().max() > 1 : replicas(v) > 1) {
                out.add(DesiredPodDisruptionBudget.of(m, v));
            }
            if (autoscaled(v)) {
                out.add(DesiredHorizontalPodAutoscaler.of(m, v, config));
            }
        }
        out.add(DesiredService.forModel(m));
        if (config.ingress().enabled()) {
            out.add(DesiredIngress.of(m, config));
        }
        return out;
    }

    public static int replicas(VersionSpec v) {
        return v.getReplicas() == null ? 1 : v.getReplicas();
    }

    /** The version has a HorizontalPodAutoscaler, which sets its Deployment's replicas. */
    public static boolean autoscaled(VersionSpec v) {
        return v.getAutoscaling() != null;
    }

    /** The name of a version's Deployment, Service, PodDisruptionBudget and HorizontalPodAutoscaler. */
    public static String versionName(ExplainableModel m, String version) {
        return m.getMetadata().getName() + "-" + version;
    }

    public static String configMapName(ExplainableModel m, String version) {
        return versionName(m, version) + "-explain";
    }

    /**
     * The model's versions ConfigMap. Never a version's ConfigMap name (those end in {@code -explain}), nor another
     * model's.
     */
    public static String versionsConfigMapName(ExplainableModel m) {
        return m.getMetadata().getName() + "-explain-versions";
    }

    /**
     * The URL of a version's Service for the runtime ({@code {version}} standing for its name): the Service's name
     * in the model's namespace, {@code <model>-<version>.<namespace>.svc}, which the pods' DNS search list completes
     * with the cluster's domain (whatever it is) before it tries any of the node's own domains. Pinned to the model's
     * namespace and to {@code svc}, it cannot name a Service of another namespace or a short host name of the node's
     * domains, as the bare {@code <model>-<version>} could when no such Service exists.
     */
    public static String versionUrl(ExplainableModel m) {
        return "http://" + versionName(m, "{version}") + "." + m.getMetadata().getNamespace() + ".svc";
    }

    /** URL paths of the AI Platform API for the model (the URL's project is the namespace). */
    public static String path(ExplainableModel m, String version, String verb) {
        String base = "/v1/projects/" + m.getMetadata().getNamespace() + "/models/"
                + m.getMetadata().getName();
        return (version == null ? base : base + "/versions/" + version) + ":" + verb;
    }

    /** Metadata of an object the model owns: in the model's namespace, with the model as its controller. */
    static ObjectMeta meta(ExplainableModel m, String name, Map<String, String> labels) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(m.getMetadata().getNamespace())
                .withLabels(labels)
                .withOwnerReferences(owner(m))
                .build();
    }

    static OwnerReference owner(ExplainableModel m) {
        return new OwnerReferenceBuilder()
                .withApiVersion(m.getApiVersion())
                .withKind(m.getKind())
                .withName(m.getMetadata().getName())
                .withUid(m.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }
}
