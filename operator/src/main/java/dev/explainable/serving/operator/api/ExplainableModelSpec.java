package dev.explainable.serving.operator.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(
        value = "self.versions.exists(v, v.name == self.defaultVersion)",
        message = "defaultVersion must name one of versions[]",
        reason = "FieldValueInvalid")
@ValidationRule(
        value = "self.versions.all(v, self.versions.exists_one(w, w.name == v.name))",
        message = "version names must be unique",
        reason = "FieldValueInvalid")
public class ExplainableModelSpec {

    public static final String AUTH_KUBERNETES = "kubernetes";
    public static final String AUTH_NONE = "none";

    @Required
    @PrinterColumn(name = "Default")
    @JsonPropertyDescription("The version served at models/<model>:explain; must name one of versions[].")
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

    @Required
    @Size(min = 1, max = 16)
    @JsonPropertyDescription("The model's versions, one Deployment and Service each.")
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

    public void setVersions(List<VersionSpec> versions) {
        this.versions = versions;
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
