package dev.explainable.serving.operator.dependent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

/**
 * A job's input and output as its shards see them: {@code gs://} and {@code s3://} URIs as they are; a
 * {@code pvc://<claim>/<path>} as the local path {@code /mnt/batch/<claim>/<path>}, the claim mounted there (read-only
 * unless the output folder is on it). The batch entry reads and writes local paths as it does object stores.
 *
 * @param inputs the input URIs, translated, in their order
 * @param outputDirectory the output folder, translated
 */
public record JobFiles(List<String> inputs, String outputDirectory, List<Volume> volumes, List<VolumeMount> mounts) {

    static final String PVC = "pvc://";
    static final String ROOT = "/mnt/batch";

    public static JobFiles of(List<String> inputUris, String outputDirectory) {
        // claim → writable, in first-use order
        Map<String, Boolean> claims = new LinkedHashMap<>();
        List<String> inputs = new ArrayList<>();
        for (String uri : inputUris) {
            inputs.add(local(uri, claims, false));
        }
        String output = local(outputDirectory, claims, true);
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        int n = 0;
        for (Map.Entry<String, Boolean> claim : claims.entrySet()) {
            String name = "batch-files-" + n++;
            boolean readOnly = !claim.getValue();
            volumes.add(new VolumeBuilder()
                    .withName(name)
                    .withNewPersistentVolumeClaim(claim.getKey(), readOnly)
                    .build());
            mounts.add(new VolumeMountBuilder()
                    .withName(name)
                    .withMountPath(ROOT + "/" + claim.getKey())
                    .withReadOnly(readOnly)
                    .build());
        }
        return new JobFiles(List.copyOf(inputs), output, List.copyOf(volumes), List.copyOf(mounts));
    }

    /** {@code uri} as the shard sees it, its claim noted (writable if {@code output}). */
    private static String local(String uri, Map<String, Boolean> claims, boolean output) {
        if (!uri.startsWith(PVC)) {
            return uri;
        }
        String rest = uri.substring(PVC.length());
        int slash = rest.indexOf('/');
        String claim = slash < 0 ? rest : rest.substring(0, slash);
        claims.merge(claim, output, Boolean::logicalOr);
        return ROOT + "/" + claim + (slash < 0 ? "" : rest.substring(slash));
    }
}
