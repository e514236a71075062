package dev.explainable.serving.operator.dependent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;

import dev.explainable.serving.operator.api.ResourcesSpec;
import dev.explainable.serving.operator.config.OperatorConfig;

/**
 * Where a runtime pod runs and what it asks for, the same for a version's pods and a batch job's: CPU and memory
 * requests (the operator's defaults where unset), memory and GPUs as limits, and for GPU pods the operator's GPU
 * tolerations (the pod's own toleration for a key wins) and its GPU node selector (unless the pod names one).
 *
 * @param tolerations null when there are none
 */
record PodPlacement(
        Map<String, Quantity> requests,
        Map<String, Quantity> limits,
        List<Toleration> tolerations,
        Map<String, String> nodeSelector) {

    static PodPlacement of(
            ResourcesSpec resources,
            List<Toleration> ownTolerations,
            Map<String, String> ownNodeSelector,
            OperatorConfig config) {
        ResourcesSpec r = resources == null ? new ResourcesSpec() : resources;
        int gpus = r.getGpus() == null ? 0 : r.getGpus();
        Map<String, Quantity> requests = new LinkedHashMap<>();
        requests.put("cpu", new Quantity(r.getCpu() != null ? r.getCpu() : config.defaultCpu()));
        requests.put("memory", new Quantity(r.getMemory() != null ? r.getMemory() : config.defaultMemory()));
        Map<String, Quantity> limits = new LinkedHashMap<>();
        limits.put("memory", requests.get("memory"));
        if (gpus > 0) {
            limits.put(DesiredDeployment.GPU, new Quantity(String.valueOf(gpus)));
        }
        List<Toleration> tolerations = new ArrayList<>();
        if (ownTolerations != null) {
            tolerations.addAll(ownTolerations);
        }
        if (gpus > 0) {
            for (Toleration t : config.gpuTolerationList()) {
                if (tolerations.stream().noneMatch(x -> Objects.equals(x.getKey(), t.getKey()))) {
                    tolerations.add(t);
                }
            }
        }
        Map<String, String> nodeSelector = ownNodeSelector != null
                        || gpus == 0
                        || config.gpuNodeSelectorMap().isEmpty()
                ? ownNodeSelector
                : config.gpuNodeSelectorMap();
        return new PodPlacement(requests, limits, tolerations.isEmpty() ? null : tolerations, nodeSelector);
    }
}
