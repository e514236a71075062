package dev.explainable.serving.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class PodPlayerTest {

    @Test
    void envValuesAreMappedIntoTheirMountOnce() {
        Map<String, String> mounts = Map.of("/mnt/models", "/tmp/repo/models/iris", "/tmp", "/pods/p1/tmp",
                "/etc/explainable", "/pods/p1/etc/explainable");
        assertThat(PodPlayer.mapIntoMounts("/mnt/models", mounts)).isEqualTo("/tmp/repo/models/iris");
        assertThat(PodPlayer.mapIntoMounts("/etc/explainable/explanation_metadata.json", mounts))
                .isEqualTo("/pods/p1/etc/explainable/explanation_metadata.json");
        assertThat(PodPlayer.mapIntoMounts("/tmpfoo", mounts)).isEqualTo("/tmpfoo");
        assertThat(PodPlayer.mapIntoMounts("integrated-gradients", mounts)).isEqualTo("integrated-gradients");
    }
}
