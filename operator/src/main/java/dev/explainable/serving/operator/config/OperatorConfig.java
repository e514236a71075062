package dev.explainable.serving.operator.config;

import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Toleration;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Operator settings ({@code explainable.operator.*}; the Helm chart sets them through env). */
@ConfigMapping(prefix = "explainable.operator")
public interface OperatorConfig {

    /**
     * Runtime image for CPU versions; also the model fetcher's init container image (gs://, s3://, http(s):// model
     * URIs), for every version.
     */
    @WithDefault("explainable-serving/runtime:0.1.0")
    String runtimeImage();

    /** Runtime image for versions with gpus > 0 (TensorFlow Java's linux-x86_64-gpu natives). */
    @WithDefault("explainable-serving/runtime:0.1.0-gpu")
    String runtimeGpuImage();

    @WithDefault("IfNotPresent")
    String imagePullPolicy();

    /** Default CPU and memory of a runtime pod when a version does not set them. */
    @WithDefault("1")
    String defaultCpu();

    @WithDefault("2Gi")
    String defaultMemory();

    /**
     * Runtime pods write their log as JSON lines (one object a record; the audit lines' fields under "mdc") instead
     * of text: {@code QUARKUS_LOG_CONSOLE_JSON_ENABLED} on the runtime container.
     */
    @WithDefault("false")
    boolean runtimeJsonLogs();

    /**
     * The OTLP endpoint (gRPC, e.g. {@code http://otel-collector.observability:4317}) runtime pods send their traces
     * to: {@code QUARKUS_OTEL_SDK_DISABLED=false} and {@code QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT} on the runtime
     * container. None: no traces.
     */
    Optional<String> runtimeOtlpEndpoint();

    /** nodeSelector for versions with gpus > 0 that set none, as "key=value,key2=value2" (Helm: gpu.nodeSelector). */
    Optional<String> gpuNodeSelector();

    /** {@link #gpuNodeSelector()} as a map. */
    default java.util.Map<String, String> gpuNodeSelectorMap() {
        return keyValues(gpuNodeSelector().orElse(""));
    }

    /** "k=v,k2=v2" (as the chart writes a map into one env value) as a map; pairs without a key are left out. */
    static java.util.Map<String, String> keyValues(String pairs) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String pair : pairs.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                m.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return m;
    }

    /**
     * Tolerations for versions with gpus > 0, as a JSON list of Kubernetes tolerations (Helm: gpu.tolerations); unset:
     * {@link GpuTolerations#DEFAULT}. A version's own toleration for the same key takes precedence.
     */
    Optional<String> gpuTolerations();

    /** {@link #gpuTolerations()} parsed and checked. */
    default List<Toleration> gpuTolerationList() {
        return gpuTolerations().map(GpuTolerations::parse).orElse(GpuTolerations.DEFAULT);
    }

    Ingress ingress();

    /** Attribution monitoring's alerts in the status (versions with {@code monitoring}). */
    Monitoring monitoring();

    interface Monitoring {
        /**
         * How often the operator reads each monitored version's ready pods ({@code GET /q/attribution-alerts} on
         * their management port) to write the thresholds they crossed into the status.
         */
        @WithDefault("30s")
        java.time.Duration pollInterval();
    }

    Autoscaling autoscaling();

    /** Who may reach a model's pods over the network (Helm: networkPolicy.*). */
    NetworkPolicy networkPolicy();

    /**
     * A NetworkPolicy per model: its pods' API port open to pods of the model's own namespace, to what the model's
     * {@code network.allowFrom} names, and to the ingress controller's namespace; its management port (metrics) to
     * the metrics scrapers' namespace only. Kubelet probes come from the node and are not affected on the CNIs that
     * enforce policies (docs/security.md).
     */
    interface NetworkPolicy {
        @WithDefault("true")
        boolean enabled();

        /** The ingress controller's namespace, let through to every model's API port (an Ingress needs it). */
        Optional<String> ingressNamespace();

        /** The metrics scrapers' namespace (Prometheus), let through to the management port only. */
        Optional<String> metricsNamespace();

        /**
         * The operator's own namespace and pods' labels ("k=v,k2=v2"), let through to the management port: it reads
         * the attribution alerts there (Helm sets both).
         */
        Optional<String> operatorNamespace();

        Optional<String> operatorPodLabels();

        /** {@link #operatorPodLabels()} as a map. */
        default java.util.Map<String, String> operatorPodLabelMap() {
            return keyValues(operatorPodLabels().orElse(""));
        }
    }

    /**
     * The ServiceAccount of runtime pods that check their callers ({@code auth: kubernetes}) and name no
     * ServiceAccount of their own ({@code storage.serviceAccountName}): the chart creates it in every watched namespace
     * and binds it to {@code system:auth-delegator} (TokenReviews and SubjectAccessReviews, nothing else).
     */
    @WithDefault("explainable-runtime")
    String runtimeServiceAccount();

    interface Autoscaling {
        /**
         * The custom metric (custom.metrics.k8s.io, per pod) that autoscaled versions with targetInFlightPerPod scale
         * on: the name the cluster's metrics adapter serves the runtime's explanations in flight under
         * (docs/operations.md has the Prometheus Adapter rule).
         */
        @WithDefault(DEFAULT_IN_FLIGHT_METRIC)
        String inFlightMetric();
    }

    String DEFAULT_IN_FLIGHT_METRIC = "explainable_explanations_in_flight";

    /** What an ExplainableModel may ask for beyond the operator's own choices (Helm: policy.*). */
    Policy policy();

    /**
     * Both allow-lists are empty by default: whoever may create an ExplainableModel gets pods that run the configured
     * runtime images and read models from PVCs or http(s) archives, nothing else.
     */
    interface Policy {
        /**
         * Host directories that {@code file://} model URIs may name (each with everything below it); none by default,
         * so file:// is refused: a hostPath mount reads the node's filesystem with the runtime's uid.
         */
        Optional<List<String>> allowedModelPaths();

        /**
         * Images a model's {@code runtime.image} may name: an entry ending in "/" allows every image under that
         * registry path, any other entry that image with any tag or digest. None by default, so an override is
         * refused unless it names the configured runtime image itself.
         */
        Optional<List<String>> allowedRuntimeImages();
    }

    interface Ingress {
        @WithDefault("false")
        boolean enabled();

        Optional<String> className();

        Optional<String> host();

        /**
         * The Vertex locations ({@code --region}) the Ingress routes Vertex URLs for: an Ingress path cannot leave
         * the location free without claiming every model's endpoints, so each listed one gets exact paths.
         */
        @WithName("vertex-locations")
        @WithDefault("us-central1")
        List<String> vertexLocations();
    }
}
