package dev.explainable.serving.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How the model fetcher reads a model's {@code gs://} and {@code s3://} versions: the runtime pods' ServiceAccount
 * (Workload Identity, IRSA, EKS Pod Identity), or a Secret per store, the stores' endpoints, and anonymous access for
 * public buckets. Applies to every version of the model.
 */
@ValidationRule(
        value = "!(has(self.anonymous) && self.anonymous) || (!has(self.gcs) || !has(self.gcs.credentialsSecret))"
                + " && (!has(self.s3) || !has(self.s3.credentialsSecret))",
        message = "anonymous access and a credentialsSecret exclude each other",
        reason = "FieldValueInvalid")
public class StorageSpec {

    @Size(max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @JsonPropertyDescription("ServiceAccount of the model's runtime pods (in the model's namespace), for cloud"
            + " identities: GKE Workload Identity, EKS IRSA or Pod Identity. Default: the namespace's default.")
    private String serviceAccountName;

    @JsonPropertyDescription("Unsigned requests, for public buckets. Without it, a fetch with no credentials fails;"
            + " it never falls back to anonymous access by itself.")
    private Boolean anonymous;

    @JsonPropertyDescription("Google Cloud Storage (gs://).")
    private Gcs gcs;

    @JsonPropertyDescription("Amazon S3 and S3-compatible stores (s3://).")
    private S3 s3;

    public static class Gcs {
        @Size(max = 2048)
        @Pattern("^https?://[^\\s]+$")
        @JsonPropertyDescription("Cloud Storage endpoint (a private endpoint, an emulator). Default: Google's.")
        private String endpoint;

        @JsonPropertyDescription("A Secret with a service-account key file (JSON), instead of the pod's identity.")
        private SecretKey credentialsSecret;

        public String getEndpoint() {
            return endpoint;
        }

        public void setEndpoint(String endpoint) {
            this.endpoint = endpoint;
        }

        public SecretKey getCredentialsSecret() {
            return credentialsSecret;
        }

        public void setCredentialsSecret(SecretKey credentialsSecret) {
            this.credentialsSecret = credentialsSecret;
        }
    }

    public static class S3 {
        @Size(max = 2048)
        @Pattern("^https?://[^\\s]+$")
        @JsonPropertyDescription("Endpoint of an S3-compatible store. Default: AWS's.")
        private String endpoint;

        @Size(max = 64)
        @Pattern("^[a-z0-9-]+$")
        @JsonPropertyDescription("Region, e.g. eu-west-1. Default: the pod's AWS_REGION, else us-east-1 following the"
                + " bucket to its region.")
        private String region;

        @JsonPropertyDescription("Path-style requests (endpoint/bucket/key), which most S3-compatible stores need.")
        private Boolean pathStyle;

        @JsonPropertyDescription("A Secret with an access key, instead of the pod's identity.")
        private S3Secret credentialsSecret;

        public String getEndpoint() {
            return endpoint;
        }

        public void setEndpoint(String endpoint) {
            this.endpoint = endpoint;
        }

        public String getRegion() {
            return region;
        }

        public void setRegion(String region) {
            this.region = region;
        }

        public Boolean getPathStyle() {
            return pathStyle;
        }

        public void setPathStyle(Boolean pathStyle) {
            this.pathStyle = pathStyle;
        }

        public S3Secret getCredentialsSecret() {
            return credentialsSecret;
        }

        public void setCredentialsSecret(S3Secret credentialsSecret) {
            this.credentialsSecret = credentialsSecret;
        }
    }

    /** A Secret in the model's namespace and the key holding a credentials file. */
    public static class SecretKey {
        @Required
        @Size(min = 1, max = 253)
        @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        private String name;

        @Size(min = 1, max = 253)
        @Pattern("^[-._a-zA-Z0-9]+$")
        @JsonPropertyDescription("The key holding the service-account key file. Default: key.json.")
        private String key;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getKey() {
            return key;
        }

        public void setKey(String key) {
            this.key = key;
        }
    }

    /** A Secret in the model's namespace holding an S3 access key. */
    public static class S3Secret {
        @Required
        @Size(min = 1, max = 253)
        @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        private String name;

        @Size(min = 1, max = 253)
        @Pattern("^[-._a-zA-Z0-9]+$")
        @JsonPropertyDescription("Key of the access key id. Default: AWS_ACCESS_KEY_ID.")
        private String accessKeyIdKey;

        @Size(min = 1, max = 253)
        @Pattern("^[-._a-zA-Z0-9]+$")
        @JsonPropertyDescription("Key of the secret access key. Default: AWS_SECRET_ACCESS_KEY.")
        private String secretAccessKeyKey;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getAccessKeyIdKey() {
            return accessKeyIdKey;
        }

        public void setAccessKeyIdKey(String accessKeyIdKey) {
            this.accessKeyIdKey = accessKeyIdKey;
        }

        public String getSecretAccessKeyKey() {
            return secretAccessKeyKey;
        }

        public void setSecretAccessKeyKey(String secretAccessKeyKey) {
            this.secretAccessKeyKey = secretAccessKeyKey;
        }
    }

    public String getServiceAccountName() {
        return serviceAccountName;
    }

    public void setServiceAccountName(String serviceAccountName) {
        this.serviceAccountName = serviceAccountName;
    }

    public Boolean getAnonymous() {
        return anonymous;
    }

    public void setAnonymous(Boolean anonymous) {
        this.anonymous = anonymous;
    }

    public Gcs getGcs() {
        return gcs;
    }

    public void setGcs(Gcs gcs) {
        this.gcs = gcs;
    }

    public S3 getS3() {
        return s3;
    }

    public void setS3(S3 s3) {
        this.s3 = s3;
    }
}
