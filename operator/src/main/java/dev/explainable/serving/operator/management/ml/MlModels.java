package dev.explainable.serving.operator.management.ml;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.management.Annotations;
import dev.explainable.serving.operator.management.GoogleError;
import dev.explainable.serving.operator.management.Paging;
import dev.explainable.serving.operator.management.RequestFields;

/**
 * AI Platform's {@code projects.models}: create, get, list and delete, as writes and reads of ExplainableModels in
 * the namespace the project names, with the caller's client. A created model has no versions until
 * {@code versions create} adds one.
 */
final class MlModels {

    static final String DESCRIPTION = Annotations.DESCRIPTION;
    static final Set<String> KNOWN = Set.of(
            "name", "description", "regions", "onlinePredictionLogging", "onlinePredictionConsoleLogging", "labels");

    private MlModels() {}

    static MlWire.Model create(KubernetesClient client, String project, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw GoogleError.invalid("the request body must be a Model object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!KNOWN.contains(field)) {
                throw GoogleError.invalid("Invalid JSON payload received. Unknown name \"" + field + "\" in Model");
            }
        }
        String name = RequestFields.text(body, "name");
        Names.check(name, "model.name");
        ExplainableModel m = new ExplainableModel();
        ObjectMetaBuilder meta = new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(project)
                .withLabels(RequestFields.labels(body.get("labels"), "model.labels"));
        String description = RequestFields.text(body, "description");
        if (description != null) {
            if (description.length() > 4096) {
                throw GoogleError.invalid("model.description has more than 4096 characters");
            }
            meta.addToAnnotations(DESCRIPTION, description);
        }
        m.setMetadata(meta.build());
        m.setSpec(new ExplainableModelSpec());
        // regions and the logging flags name Google's infrastructure: accepted, without effect (docs/migration.md)
        return toWire(project, client.resource(m).create());
    }

    static MlWire.Model get(KubernetesClient client, String project, String model) {
        return toWire(project, find(client, project, model));
    }

    static MlWire.ListModels list(KubernetesClient client, String project, Paging paging) {
        List<ExplainableModel> all = new ArrayList<>(client.resources(ExplainableModel.class)
                .inNamespace(project)
                .list()
                .getItems());
        all.sort(Comparator.comparing(x -> x.getMetadata().getName()));
        List<MlWire.Model> page = new ArrayList<>();
        for (ExplainableModel m : paging.page(all)) {
            page.add(toWire(project, m));
        }
        return new MlWire.ListModels(page.isEmpty() ? null : page, paging.next(all.size()));
    }

    /** Google's rule: a model with versions is not deleted. */
    static MlWire.Operation delete(KubernetesClient client, String project, String model) {
        ExplainableModel m = find(client, project, model);
        if (!m.getSpec().getVersions().isEmpty()) {
            throw GoogleError.failedPrecondition("model " + model + " has versions ("
                    + String.join(
                            ", ",
                            m.getSpec().getVersions().stream()
                                    .map(VersionSpec::getName)
                                    .toList())
                    + "): delete them first");
        }
        // at the resource version read: a version added since (a concurrent create or deploy) is not deleted with it
        client.resource(m).lockResourceVersion().delete();
        return MlOperations.done(
                project,
                new MlOperations.Id(
                        MlOperations.DELETE_MODEL, model, null, m.getMetadata().getGeneration()),
                null);
    }

    static ExplainableModel find(KubernetesClient client, String project, String model) {
        Names.check(model, "model");
        ExplainableModel m = client.resources(ExplainableModel.class)
                .inNamespace(project)
                .withName(model)
                .get();
        if (m == null) {
            throw GoogleError.notFound("model projects/" + project + "/models/" + model + " not found");
        }
        return m;
    }

    static MlWire.Model toWire(String project, ExplainableModel m) {
        String defaultName = m.getSpec().getDefaultVersion();
        MlWire.Version defaultVersion = m.getSpec().getVersions().stream()
                .filter(v -> v.getName().equals(defaultName))
                .findFirst()
                .map(v -> VersionMapping.toWire(project, m, v))
                .orElse(null);
        return new MlWire.Model(
                "projects/" + project + "/models/" + m.getMetadata().getName(),
                m.getMetadata().getAnnotations() == null
                        ? null
                        : m.getMetadata().getAnnotations().get(DESCRIPTION),
                defaultVersion,
                null,
                null,
                null,
                m.getMetadata().getLabels() == null
                                || m.getMetadata().getLabels().isEmpty()
                        ? null
                        : m.getMetadata().getLabels(),
                VersionMapping.etag(m));
    }
}
