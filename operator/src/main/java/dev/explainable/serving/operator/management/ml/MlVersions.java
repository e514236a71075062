package dev.explainable.serving.operator.management.ml;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.management.GoogleError;
import dev.explainable.serving.operator.management.ModelChanges;
import dev.explainable.serving.operator.management.Paging;

/**
 * AI Platform's {@code projects.models.versions}: create (a long-running operation that is done when the version is
 * Ready or failed), get, list, delete and setDefault, as changes of the ExplainableModel's {@code spec.versions} and
 * {@code spec.defaultVersion} with the caller's client. Each change goes through {@link ModelChanges}, so two callers
 * never overwrite each other's versions.
 */
final class MlVersions {

    private MlVersions() {}

    static MlWire.Operation create(KubernetesClient client, String project, String model, JsonNode body) {
        VersionSpec v = VersionMapping.fromRequest(body);
        ExplainableModel updated = change(client, project, model, m -> {
            if (m.getSpec().getVersions().stream().anyMatch(x -> x.getName().equals(v.getName()))) {
                throw new GoogleError(
                        409, "ALREADY_EXISTS", "version " + v.getName() + " of model " + model + " already exists");
            }
            m.getSpec().getVersions().add(v);
            if (m.getSpec().getDefaultVersion() == null) {
                m.getSpec().setDefaultVersion(v.getName()); // AI Platform: the first version is the default
            }
            return m;
        });
        MlOperations.Id id = new MlOperations.Id(
                MlOperations.CREATE, model, v.getName(), updated.getMetadata().getGeneration());
        return MlOperations.of(project, id, updated);
    }

    static MlWire.Version get(KubernetesClient client, String project, String model, String version) {
        ExplainableModel m = MlModels.find(client, project, model);
        return VersionMapping.toWire(project, m, find(m, version));
    }

    static MlWire.ListVersions list(KubernetesClient client, String project, String model, Paging paging) {
        ExplainableModel m = MlModels.find(client, project, model);
        List<MlWire.Version> page = new ArrayList<>();
        for (VersionSpec v : paging.page(m.getSpec().getVersions())) {
            page.add(VersionMapping.toWire(project, m, v));
        }
        return new MlWire.ListVersions(
                page.isEmpty() ? null : page,
                paging.next(m.getSpec().getVersions().size()));
    }

    /** Google's rule: the default version goes only when it is the last one. */
    static MlWire.Operation delete(KubernetesClient client, String project, String model, String version) {
        ExplainableModel updated = change(client, project, model, m -> {
            find(m, version);
            boolean isDefault = version.equals(m.getSpec().getDefaultVersion());
            if (isDefault && m.getSpec().getVersions().size() > 1) {
                throw GoogleError.failedPrecondition("version " + version + " is the default of model " + model
                        + " and not its only version: set another default first (versions set-default)");
            }
            m.getSpec().getVersions().removeIf(x -> x.getName().equals(version));
            if (isDefault) {
                m.getSpec().setDefaultVersion(null);
            }
            return m;
        });
        return MlOperations.done(
                project,
                new MlOperations.Id(
                        MlOperations.DELETE_VERSION,
                        model,
                        version,
                        updated.getMetadata().getGeneration()),
                null);
    }

    static MlWire.Version setDefault(KubernetesClient client, String project, String model, String version) {
        ExplainableModel updated = change(client, project, model, m -> {
            find(m, version);
            m.getSpec().setDefaultVersion(version);
            return m;
        });
        return VersionMapping.toWire(project, updated, find(updated, version));
    }

    private static VersionSpec find(ExplainableModel m, String version) {
        Names.check(version, "version");
        return m.getSpec().getVersions().stream()
                .filter(x -> x.getName().equals(version))
                .findFirst()
                .orElseThrow(() -> GoogleError.notFound(
                        "version projects/" + m.getMetadata().getNamespace() + "/models/"
                                + m.getMetadata().getName() + "/versions/" + version + " not found"));
    }

    private static ExplainableModel change(
            KubernetesClient client, String project, String model, Function<ExplainableModel, ExplainableModel> edit) {
        return ModelChanges.change(client, () -> MlModels.find(client, project, model), edit::apply);
    }
}
