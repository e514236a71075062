package dev.explainable.serving.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class ReasonTest {

    /** kubectl columns, alerts, docs and the e2e tests match these strings: a rename breaks them. */
    @Test
    void reasonStringsStayAsTheyAre() {
        assertThat(Arrays.stream(Reason.values()).map(Reason::value))
                .containsExactly(
                        "AllVersionsAvailable",
                        "VersionsNotAvailable",
                        "DefaultVersionServing",
                        "DefaultVersionNotServing",
                        "NoVersions",
                        "NoRolloutInProgress",
                        "AsExpected",
                        "ApplyFailed",
                        "PolicyViolation",
                        "Creating",
                        "RollingOut",
                        "Starting",
                        "MinimumReplicasAvailable",
                        "ModelLoadFailed",
                        "ModelFetchFailed",
                        "Unschedulable",
                        "ProgressDeadlineExceeded",
                        "FailedCreate",
                        "Created",
                        "ConfigChanged",
                        "Deleted",
                        "AutoscalerPending",
                        "MetricsUnavailable",
                        "AttributionSkew",
                        "AttributionDrift",
                        "BaselineNotRead");
    }
}
