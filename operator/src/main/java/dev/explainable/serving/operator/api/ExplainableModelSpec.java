package dev.explainable.serving.operator.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

// A model may have no versions (AI Platform's `models create`, a Vertex model stored but not deployed): then it has
// no defaultVersion either. With versions, defaultVersion is required and names one of them. Three rules, so that
// the API server's message says which of the three is wrong.
@ValidationRule(
        value = "!has(self.versions) || size(self.versions) == 0 || has(self.defaultVersion)",
        message = "defaultVersion is required when the model has versions: name the one models/<model>:explain serves",
        reason = "FieldValueRequired",
        fieldPath = ".defaultVersion")
@ValidationRule(
        value = "!has(self.defaultVersion) || !has(self.versions) || size(self.versions) == 0"
                + " || self.versions.exists(v, v.name == self.defaultVersion)",
        message = "defaultVersion must name one of versions[]",
        reason = "FieldValueInvalid",
        fieldPath = ".defaultVersion")
@ValidationRule(
        value = "!has(self.defaultVersion) || has(self.versions) && size(self.versions) > 0",
        message = "a model without versions has no defaultVersion: remove defaultVersion, or add its version to"
                + " versions[]",
        reason = "FieldValueForbidden",
        fieldPath = ".defaultVersion")
@ValidationRule(
        value = "!has(self.versions) || self.versions.all(v, self.versions.exists_one(w, w.name == v.name))",
        message = "version names must be unique",
        reason = "FieldValueInvalid")
public class ExplainableModelSpec {

    public static final String AUTH_KUBERNETES = "kubernetes";
    public static final String AUTH_NONE = "none";

    @PrinterColumn(name = "Default")
    @JsonPropertyDescription("The version served at models/<model>:explain: one of versions[]. Required when there are"
            + " versions; absent when there are none.")
    private String defaultVersion;

    @JsonPropertyDescription("Runtime image; defaults from the operator configuration.")
    private RuntimeSpec runtime;

    @JsonPropertyDescription(
            "How gs:// and s3:// versions are read: the pods' ServiceAccount, credentials Secrets," + " endpoints.")
    private StorageSpec storage;

    @PrinterColumn(name = "Auth")
    @Default("kubernetes")
    @Pattern("^(kubernetes|none)$")
    @JsonPropertyDescription("Who may call the model: kubernetes (a bearer token the API server accepts, and RBAC:"
            + " create on explainablemodels/explain or /predict, get on explainablemodels, for this model) or none"
            + " (whoever reaches its pods). Default: kubernetes.")
    private String auth = AUTH_KUBERNETES;

    @JsonPropertyDescription("Who may reach the model's pods besides its own namespace's pods (its NetworkPolicy).")
    private NetworkSpec network;

    @Size(max = 16)
    @JsonPropertyDescription("The model's versions, one Deployment and Service each: 0 to 16. Without versions the"
            + " model serves nothing (Ready False, reason NoVersions) until one is added.")
    private List<VersionSpec> versions = new ArrayList<>();

    public String getDefaultVersion() {
        return defaultVersion;
    }

    public void setDefaultVersion(String defaultVersion) {
        this.defaultVersion = defaultVersion;
    }

    public RuntimeSpec getRuntime() {
        return runtime;
    }

    public void setRuntime(RuntimeSpec runtime) {
        this.runtime = runtime;
    }

    public StorageSpec getStorage() {
        return storage;
    }

    public void setStorage(StorageSpec storage) {
        this.storage = storage;
    }

    public List<VersionSpec> getVersions() {
        return versions;
    }

    /** Never null: a spec without versions (absent or {@code null}) has an empty list. */
    public void setVersions(List<VersionSpec> versions) {
        this.versions = versions == null ? new ArrayList<>() : versions;
    }

    /** The model has at least one version (and so a defaultVersion naming one: the CRD's rules). */
    public boolean hasVersions() {
        return !versions.isEmpty();
    }

    public String getAuth() {
        return auth;
    }

    public void setAuth(String auth) {
        this.auth = auth;
    }

    /** Callers must present a token the API server accepts and RBAC allows ({@code auth} unset or kubernetes). */
    public boolean checksCallers() {
        return !AUTH_NONE.equals(auth);
    }

    public NetworkSpec getNetwork() {
        return network;
    }

    public void setNetwork(NetworkSpec network) {
        this.network = network;
    }
}
