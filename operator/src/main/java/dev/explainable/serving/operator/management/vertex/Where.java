package dev.explainable.serving.operator.management.vertex;

/**
 * Where a Vertex call is addressed: the project (a namespace here), the location (one of the configured ones) and
 * the API version of its URL ({@code v1}, or {@code v1beta1}, which gcloud polls operations on), whose name the
 * {@code @type}s of the answer carry.
 */
record Where(String project, String location, String apiVersion) {

    String parent() {
        return "projects/" + project + "/locations/" + location;
    }
}
