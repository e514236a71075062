package dev.explainable.serving.operator.reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplanationJob;
import dev.explainable.serving.operator.api.ExplanationJobStatus;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.OperatorConfig;
import dev.explainable.serving.operator.dependent.DesiredJob;
import dev.explainable.serving.operator.dependent.JobModel;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.operator.events.EventRecorder;
import dev.explainable.serving.operator.policy.ModelPolicy;
import dev.explainable.serving.operator.status.JobStatusCalculator;

/**
 * An {@link ExplanationJob} becomes one Indexed Job ({@link DesiredJob}) of what it runs ({@link JobModel}: its
 * model's version with the job's overrides, or its own model URI), created once by server-side apply with the
 * ConfigMap of its inline metadata (a Job's pod template cannot change, and the job must not change with its model
 * afterwards); {@code cancel} then suspends
 * it (a merge patch of {@code spec.suspend}). The status {@link JobStatusCalculator} derives from the Job and its pods
 * is patched when it changes. Reads come from informers: the Jobs and pods carrying {@link DesiredJob#JOB_LABEL}, and
 * the ExplainableModels the jobs name.
 */
@ControllerConfiguration(name = "explanationjob")
public class ExplanationJobReconciler implements Reconciler<ExplanationJob> {

    static final String JOBS = "explanationjob-jobs";
    static final String PODS = "explanationjob-pods";
    static final String MODELS = "explanationjob-models";
    static final Duration MODEL_RECHECK = Duration.ofSeconds(30);

    private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final KubernetesClient client;
    private final OperatorConfig config;
    private final EventRecorder events;

    public ExplanationJobReconciler(KubernetesClient client, OperatorConfig config) {
        this.client = client;
        this.config = config;
        this.events = new EventRecorder(client);
    }

    @Override
    public List<EventSource<?, ExplanationJob>> prepareEventSources(EventSourceContext<ExplanationJob> context) {
        List<EventSource<?, ExplanationJob>> sources = new ArrayList<>();
        // its Job: owned, mapped back by owner reference
        sources.add(new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Job.class, ExplanationJob.class)
                        .withName(JOBS)
                        .withLabelSelector(DesiredJob.JOB_LABEL)
                        .build(),
                context));
        // the Job's pods: by the label naming the ExplanationJob
        sources.add(new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Pod.class, ExplanationJob.class)
                        .withName(PODS)
                        .withLabelSelector(DesiredJob.JOB_LABEL)
                        .withSecondaryToPrimaryMapper(p -> Set.of(new ResourceID(
                                p.getMetadata().getLabels().get(DesiredJob.JOB_LABEL),
                                p.getMetadata().getNamespace())))
                        .build(),
                context));
        // the model a job names: a job waiting for its model starts when it appears
        sources.add(new InformerEventSource<>(
                InformerEventSourceConfiguration.from(ExplainableModel.class, ExplanationJob.class)
                        .withName(MODELS)
                        .withPrimaryToSecondaryMapper((ExplanationJob j) -> j.getSpec()
                                        .ownModel()
                                ? Set.of()
                                : Set.of(new ResourceID(
                                        j.getSpec().model.name, j.getMetadata().getNamespace())))
                        .withSecondaryToPrimaryMapper(m -> context.getPrimaryCache()
                                .list(m.getMetadata().getNamespace())
                                .filter(j -> j.getSpec() != null
                                        && j.getSpec().model != null
                                        && m.getMetadata().getName().equals(j.getSpec().model.name))
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        .build(),
                context));
        return sources;
    }

    @Override
    public UpdateControl<ExplanationJob> reconcile(ExplanationJob job, Context<ExplanationJob> context) {
        ExplanationJobStatus previous = job.getStatus();
        String outputDirectory = JobStatusCalculator.outputDirectory(previous);
        if (outputDirectory == null) {
            outputDirectory = DesiredJob.outputDirectory(job);
        }
        Instant now = Instant.now();
        Job k8sJob = context.getSecondaryResource(Job.class).orElse(null);
        if (k8sJob == null) {
            String state = previous == null ? null : previous.state;
            if (ExplanationJobStatus.FAILED.equals(state) || ExplanationJobStatus.CANCELLED.equals(state)) {
                return UpdateControl.noUpdate(); // ended before it ran: stays so
            }
            if (!job.getSpec().cancelled()) {
                JobModel model;
                if (job.getSpec().ownModel()) {
                    model = JobModel.own(job);
                } else {
                    Optional<ExplainableModel> found = context.getSecondaryResource(ExplainableModel.class);
                    if (found.isEmpty()) {
                        return patch(
                                        job,
                                        JobStatusCalculator.refused(
                                                job,
                                                ExplanationJobStatus.QUEUED,
                                                "ModelNotFound",
                                                "no ExplainableModel " + job.getSpec().model.name + " in namespace "
                                                        + job.getMetadata().getNamespace(),
                                                outputDirectory,
                                                now))
                                .rescheduleAfter(MODEL_RECHECK);
                    }
                    ExplainableModel m = found.get();
                    List<String> violations = ModelPolicy.violations(m, config);
                    VersionSpec version = DesiredJob.version(m, job);
                    String refusal = !violations.isEmpty()
                            ? "the operator's policy refuses model "
                                    + m.getMetadata().getName() + ": " + String.join("; ", violations)
                            : version == null && !m.getSpec().hasVersions()
                                    ? "model " + m.getMetadata().getName() + " has no versions yet"
                                    : version == null
                                            ? "model " + m.getMetadata().getName() + " has no version "
                                                    + job.getSpec().model.version
                                            : null;
                    if (refusal != null) {
                        events.warning(job, "Failed", refusal);
                        return patch(
                                job,
                                JobStatusCalculator.refused(
                                        job, ExplanationJobStatus.FAILED, "Refused", refusal, outputDirectory, now));
                    }
                    model = JobModel.of(job, m, version);
                }
                ConfigMap metadata = DesiredJob.metadataConfigMap(job, model);
                if (metadata != null) {
                    // before the Job: its pods mount it
                    client.resource(metadata)
                            .fieldManager(Labels.OPERATOR)
                            .forceConflicts()
                            .serverSideApply();
                }
                k8sJob = client.resource(DesiredJob.of(job, model, outputDirectory, config))
                        .fieldManager(Labels.OPERATOR)
                        .forceConflicts()
                        .serverSideApply();
                events.normal(
                        job,
                        "Created",
                        "Job " + k8sJob.getMetadata().getName() + ": "
                                + job.getSpec().shards() + " shards, output " + outputDirectory);
            }
        } else if (job.getSpec().cancelled()
                && !Boolean.TRUE.equals(k8sJob.getSpec().getSuspend())
                && !finished(k8sJob)) {
            k8sJob = client.batch()
                    .v1()
                    .jobs()
                    .inNamespace(k8sJob.getMetadata().getNamespace())
                    .withName(k8sJob.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":true}}");
        }

        List<Pod> pods = k8sJob == null ? List.of() : List.copyOf(context.getSecondaryResources(Pod.class));
        ExplanationJobStatus status = JobStatusCalculator.compute(job, k8sJob, pods, outputDirectory, now);
        String before = previous == null ? null : previous.state;
        if (!Objects.equals(before, status.state)) {
            if (ExplanationJobStatus.SUCCEEDED.equals(status.state)) {
                events.normal(
                        job,
                        "Succeeded",
                        "every shard succeeded: " + status.completionStats.successfulCount + " instances, "
                                + status.completionStats.failedCount + " failed lines");
            } else if (ExplanationJobStatus.FAILED.equals(status.state)) {
                events.warning(job, "Failed", status.conditions.get(1).getMessage());
            }
        }
        return patch(job, status);
    }

    private static boolean finished(Job j) {
        return j.getStatus() != null
                && j.getStatus().getConditions() != null
                && j.getStatus().getConditions().stream()
                        .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                                && "True".equals(c.getStatus()));
    }

    /** Patches the status if it changed (without a resourceVersion: the status is the operator's alone). */
    private static UpdateControl<ExplanationJob> patch(ExplanationJob job, ExplanationJobStatus status) {
        if (same(job.getStatus(), status)) {
            return UpdateControl.noUpdate();
        }
        job.setStatus(status);
        job.getMetadata().setResourceVersion(null);
        return UpdateControl.patchStatus(job);
    }

    private static boolean same(ExplanationJobStatus a, ExplanationJobStatus b) {
        if (a == null) {
            return false;
        }
        return JSON.valueToTree(a).equals(JSON.valueToTree(b));
    }
}
