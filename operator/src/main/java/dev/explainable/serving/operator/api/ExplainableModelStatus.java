package dev.explainable.serving.operator.api;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;

public class ExplainableModelStatus {

    private Long observedGeneration;

    /**
     * A fixed set: Ready (every version serves its current configuration), Available (the default version has a
     * ready pod), Progressing (a version rolls out), Degraded (a version fails now, or the API server refused what the
     * operator applied). Per-version state is in {@link #versions}.
     */
    private List<Condition> conditions = new ArrayList<>();

    private List<VersionStatus> versions = new ArrayList<>();

    @PrinterColumn(name = "Versions Ready")
    private String versionsReady;

    @PrinterColumn(name = "URL")
    private String url;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    /** A status written by hand may say {@code conditions: null}; the operator reads that as none. */
    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions == null ? new ArrayList<>() : conditions;
    }

    public List<VersionStatus> getVersions() {
        return versions;
    }

    public void setVersions(List<VersionStatus> versions) {
        this.versions = versions == null ? new ArrayList<>() : versions;
    }

    public String getVersionsReady() {
        return versionsReady;
    }

    public void setVersionsReady(String versionsReady) {
        this.versionsReady = versionsReady;
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }
}
