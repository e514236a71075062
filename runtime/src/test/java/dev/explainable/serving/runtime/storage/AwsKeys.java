package dev.explainable.serving.runtime.storage;

/** The AWS keys the SDK's default credentials chain reads from system properties: set for a test, cleared after. */
final class AwsKeys {

    private AwsKeys() {}

    static void use(String accessKeyId, String secretAccessKey) {
        System.setProperty("aws.accessKeyId", accessKeyId);
        System.setProperty("aws.secretAccessKey", secretAccessKey);
    }

    static void clear() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }
}
