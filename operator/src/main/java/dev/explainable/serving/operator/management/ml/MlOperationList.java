package dev.explainable.serving.operator.management.ml;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;

/**
 * {@code operations.list}: the operations still running in the project, one per version being created (not yet Ready
 * nor failed), named as {@code versions create} named them.
 */
final class MlOperationList {

    private MlOperationList() {}

    static MlWire.ListOperations list(KubernetesClient client, String project) {
        List<ExplainableModel> models = new ArrayList<>(client.resources(ExplainableModel.class)
                .inNamespace(project)
                .list()
                .getItems());
        models.sort(Comparator.comparing(m -> m.getMetadata().getName()));
        List<MlWire.Operation> running = new ArrayList<>();
        for (ExplainableModel m : models) {
            for (VersionSpec v : m.getSpec().getVersions()) {
                if (VersionMapping.toWire(project, m, v).state().equals("CREATING")) {
                    // the model read once for all its versions, not again per operation
                    running.add(MlOperations.of(
                            project,
                            new MlOperations.Id(
                                    MlOperations.CREATE,
                                    m.getMetadata().getName(),
                                    v.getName(),
                                    m.getMetadata().getGeneration()),
                            m));
                }
            }
        }
        return new MlWire.ListOperations(running.isEmpty() ? null : running, null);
    }
}
