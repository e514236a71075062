package dev.explainable.serving.operator.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.RuntimeSpec;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.OperatorConfig;

/**
 * What the operator refuses to create for an ExplainableModel although the CRD accepts it: {@code file://} model URIs
 * (a hostPath mount of the node's filesystem) outside the allowed host directories, and {@code runtime.image}
 * overrides outside the allowed images. The operator creates pods with its own rights, so without this whoever may
 * create an ExplainableModel could run any image and read any node directory. Pure: unit-tested.
 */
public final class ModelPolicy {

    static final String PATHS_SETTING =
            "explainable.operator.policy.allowed-model-paths, Helm: policy.allowedModelPaths";
    static final String IMAGES_SETTING =
            "explainable.operator.policy.allowed-runtime-images, Helm: policy.allowedRuntimeImages";

    private ModelPolicy() {}

    /** One message per refused field, naming the field, the value and the setting that would allow it; empty: allowed. */
    public static List<String> violations(ExplainableModel model, OperatorConfig config) {
        List<String> out = new ArrayList<>();
        List<String> paths = config.policy().allowedModelPaths().orElse(List.of());
        for (VersionSpec v : model.getSpec().getVersions()) {
            // not expressible in the CRD's rules: schema-less (preserved) fields are invisible to CEL
            if (v.getMetadata() != null
                    && !v.getMetadata().isNull()
                    && v.getExplanationSpec() != null
                    && v.getExplanationSpec().getMetadata() != null
                    && !v.getExplanationSpec().getMetadata().isNull()) {
                out.add("version " + v.getName() + ": give the metadata once: metadata (AI Platform's) or "
                        + "explanationSpec.metadata (Vertex's), not both");
            }
            String uri = v.getModelUri();
            if (uri == null || !uri.startsWith("file://")) {
                continue;
            }
            String path = uri.substring("file://".length());
            String where = "version " + v.getName() + ": modelUri " + uri + " is refused: ";
            if (paths.isEmpty()) {
                out.add(where + "file:// model URIs are not allowed by this operator's policy (" + PATHS_SETTING + ")");
            } else if (Arrays.asList(path.split("/")).contains("..")) {
                out.add(where + "a file:// path must not contain '..'");
            } else if (paths.stream().noneMatch(allowed -> isUnder(path, allowed))) {
                out.add(where + "not under a host path allowed by this operator's policy " + paths + " ("
                        + PATHS_SETTING + ")");
            }
        }
        RuntimeSpec runtime = model.getSpec().getRuntime();
        String image = runtime == null ? null : runtime.getImage();
        if (image != null && !image.equals(config.runtimeImage()) && !image.equals(config.runtimeGpuImage())) {
            List<String> images = config.policy().allowedRuntimeImages().orElse(List.of());
            if (images.isEmpty()) {
                out.add("runtime.image " + image + " is refused: image overrides are not allowed by this operator's "
                        + "policy (" + IMAGES_SETTING
                        + "); leave runtime.image out to use the configured runtime image");
            } else if (images.stream().noneMatch(allowed -> imageMatches(image, allowed))) {
                out.add("runtime.image " + image + " is refused: not among the images allowed by this operator's "
                        + "policy " + images + " (" + IMAGES_SETTING + ")");
            }
        }
        return out;
    }

    /**
     * Refuses allow-list entries that would not mean what they seem (the operator does not start): host paths must be
     * absolute and free of '..', image entries non-empty.
     */
    public static void checkConfig(OperatorConfig config) {
        for (String p : config.policy().allowedModelPaths().orElse(List.of())) {
            if (!p.startsWith("/") || Arrays.asList(p.split("/")).contains("..")) {
                throw new IllegalArgumentException(PATHS_SETTING + ": " + p + " must be an absolute path without '..'");
            }
        }
        for (String i : config.policy().allowedRuntimeImages().orElse(List.of())) {
            if (i.isBlank()) {
                throw new IllegalArgumentException(IMAGES_SETTING + " has an empty entry");
            }
        }
    }

    /** {@code path} is {@code allowed} or below it, compared by path segments ("/srv/models" does not allow "/srv/models2"). */
    static boolean isUnder(String path, String allowed) {
        List<String> p = segments(path);
        List<String> a = segments(allowed);
        return allowed.startsWith("/")
                && p.size() >= a.size()
                && p.subList(0, a.size()).equals(a);
    }

    private static List<String> segments(String path) {
        return Arrays.stream(path.split("/"))
                .filter(s -> !s.isEmpty() && !s.equals("."))
                .toList();
    }

    /**
     * An entry ending in "/" allows every image below that registry path; any other entry allows exactly that image,
     * with any tag or digest ("reg.example/runtime" allows "reg.example/runtime:2", not "reg.example/runtime-evil").
     */
    static boolean imageMatches(String image, String allowed) {
        if (allowed.isEmpty()) {
            return false;
        }
        if (allowed.endsWith("/")) {
            return image.startsWith(allowed) && image.length() > allowed.length();
        }
        return image.equals(allowed) || image.startsWith(allowed + ":") || image.startsWith(allowed + "@");
    }
}
