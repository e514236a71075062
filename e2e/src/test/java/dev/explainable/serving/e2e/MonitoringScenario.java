package dev.explainable.serving.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import dev.explainable.serving.operator.api.AttributionCrossing;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.MonitoringStatus;
import dev.explainable.serving.operator.dependent.Labels;

/**
 * Attribution monitoring through the operator on the real node, after {@link BatchJobScenario}: a model served with
 * {@code monitoring} whose baseline is that batch job's attribution profiles (its training-like data, the batch's
 * instances). 2,000 requests like the baseline (its rows, drawn at random) keep every skew and drift score under the
 * thresholds (0.15), in the pod's gauges and in {@code status.versions[].monitoring}; 2,000 more with
 * {@code features[1]} shifted by +3 raise that feature's drift (the first shifted window against the last like one)
 * and skew above them and leave every other feature under: gauges, status and Warning events.
 */
final class MonitoringScenario {

    static final String MODEL = "iris-watched";
    static final String SHIFTED = "features[1]";
    static final int WINDOW = 500;
    /**
     * The model's skew and drift thresholds: the shifted feature scores about 0.28; the others move up to about 0.07 as
     * the predicted labels' mix changes, plus the windows' sampling noise (up to about 0.03 at 500).
     */
    static final double THRESHOLD = 0.15;

    static final Duration LIMIT = Duration.ofMinutes(3);

    private final KubernetesClient client;
    private final ExplainScenario.Caller caller;
    private final String token;
    private final Random random = new Random(24);

    MonitoringScenario(KubernetesClient client, ExplainScenario.Caller caller, String token) {
        this.client = client;
        this.caller = caller;
        this.token = token;
    }

    /** The served model of {@link GcsModelScenario} under another name, with its version monitored. */
    static String model(String endpoint, String baselineUri) {
        return GcsModelScenario.model(MODEL, "gs://models/iris/1", endpoint)
                + """
                    monitoring:
                      sampleRate: 1
                      windowSize: %d
                      baselineUri: %s
                      skewThreshold: %s
                      driftThreshold: %s
                """.formatted(WINDOW, baselineUri, THRESHOLD, THRESHOLD);
    }

    /** {@code batchOut}: the batch job's output folder, holding its shards' attribution profiles. */
    void run(String endpoint, String batchOut) throws Exception {
        long start = System.nanoTime();
        client.load(new ByteArrayInputStream(
                        model(endpoint, (batchOut.endsWith("/") ? batchOut : batchOut + "/") + "attribution.profile-*")
                                .getBytes(StandardCharsets.UTF_8)))
                .inNamespace(ExplainScenario.NS)
                .create();
        // ready, and the operator has read its pod: the baseline is read before any window fills
        awaitStatus("the baseline read", m -> "Read".equals(m.getBaseline()));
        List<String> rows = BatchJobScenario.goodLines();

        serve(rows, 2000, 0);
        MonitoringStatus like = awaitWindow(4);
        assertThat(like.getCrossed())
                .as("crossed after 2,000 requests like the baseline")
                .isEmpty();
        assertThat(like.getMessage()).isEmpty();
        Map<String, Double> skew = gauges("skew");
        Map<String, Double> drift = gauges("drift");
        assertThat(skew).as("skew gauges: five features and the overall").hasSize(6);
        assertThat(skew).allSatisfy((f, v) -> assertThat(v).as("skew of %s", f).isLessThan(THRESHOLD));
        assertThat(drift)
                .allSatisfy((f, v) -> assertThat(v).as("drift of %s", f).isLessThan(THRESHOLD));
        System.out.printf(Locale.ROOT, "monitoring: 2,000 like the baseline: skew %s, drift %s%n", skew, drift);

        // the first shifted window against the last like one: drift
        serve(rows, 500, 3);
        awaitWindow(5);
        Map<String, Double> drifted = gauges("drift");
        assertThat(drifted.get(SHIFTED))
                .as("drift of the shifted feature %s", drifted)
                .isGreaterThan(THRESHOLD);
        assertThat(drifted)
                .allSatisfy((f, v) -> assertThat(f.equals(SHIFTED) || f.isEmpty() || v < THRESHOLD)
                        .as("drift of %s: %s", f, v)
                        .isTrue());
        // and against the baseline: skew, which lasts while the shift does
        serve(rows, 1500, 3);
        MonitoringStatus shifted = awaitWindow(8);
        Map<String, Double> skewed = gauges("skew");
        assertThat(skewed.get(SHIFTED))
                .as("skew of the shifted feature %s", skewed)
                .isGreaterThan(THRESHOLD);
        assertThat(skewed)
                .allSatisfy((f, v) -> assertThat(f.equals(SHIFTED) || f.isEmpty() || v < THRESHOLD)
                        .as("skew of %s: %s", f, v)
                        .isTrue());

        // the status: the shifted feature's skew (current) and drift (seen at window 5), no other feature
        List<AttributionCrossing> crossed = shifted.getCrossed();
        assertThat(crossed)
                .filteredOn(c -> !c.getFeature().isEmpty())
                .extracting(AttributionCrossing::getFeature)
                .as("features in status.versions[0].monitoring.crossed")
                .containsOnly(SHIFTED);
        AttributionCrossing skewCrossing = find(crossed, "skew");
        assertThat(skewCrossing.getCurrent()).isTrue();
        assertThat(skewCrossing.getScore()).isGreaterThan(THRESHOLD);
        assertThat(skewCrossing.getThreshold()).isEqualTo(THRESHOLD);
        assertThat(skewCrossing.getSince()).isNotBlank();
        AttributionCrossing driftCrossing = find(crossed, "drift");
        assertThat(driftCrossing.getScore()).isGreaterThan(THRESHOLD);
        assertThat(driftCrossing.getSince()).isNotBlank();

        // and as Warning events on the model
        Awaitility.await("the monitoring events")
                .atMost(Duration.ofSeconds(30))
                .until(() -> reasons().containsAll(List.of("AttributionSkew", "AttributionDrift")));
        System.out.printf(
                Locale.ROOT,
                "monitoring: %s shifted +3: drift %.3f, skew %.3f over %.2f (others under) in gauges, status and"
                        + " events; %.1f s in all%n",
                SHIFTED,
                driftCrossing.getScore(),
                skewCrossing.getScore(),
                THRESHOLD,
                (System.nanoTime() - start) / 1e9);
        client.resources(ExplainableModel.class)
                .inNamespace(ExplainScenario.NS)
                .withName(MODEL)
                .delete();
    }

    private static AttributionCrossing find(List<AttributionCrossing> crossed, String kind) {
        return crossed.stream()
                .filter(c -> SHIFTED.equals(c.getFeature()) && kind.equals(c.getKind()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " of " + SHIFTED + " in " + describe(crossed)));
    }

    private static List<String> describe(List<AttributionCrossing> crossed) {
        return crossed.stream()
                .map(c -> c.getKind() + " " + c.getFeature() + " " + c.getScore() + " current=" + c.getCurrent())
                .toList();
    }

    private List<String> reasons() {
        return client.v1().events().inNamespace(ExplainScenario.NS).list().getItems().stream()
                .filter(e -> MODEL.equals(e.getInvolvedObject().getName()))
                .map(Event::getReason)
                .toList();
    }

    private MonitoringStatus monitoring() {
        ExplainableModel m = client.resources(ExplainableModel.class)
                .inNamespace(ExplainScenario.NS)
                .withName(MODEL)
                .get();
        if (m == null || m.getStatus() == null || m.getStatus().getVersions().isEmpty()) {
            return null;
        }
        return m.getStatus().getVersions().get(0).getMonitoring();
    }

    private MonitoringStatus awaitWindow(long window) {
        return awaitStatus("window " + window, m -> m.getWindow() != null && m.getWindow() >= window);
    }

    /** Waits for the version's monitoring status to say {@code what}; fails with the status it last had. */
    private MonitoringStatus awaitStatus(String what, java.util.function.Predicate<MonitoringStatus> done) {
        try {
            return Awaitility.await(what + " in status.versions[0].monitoring")
                    .atMost(LIMIT)
                    .pollInterval(Duration.ofMillis(500))
                    .until(this::monitoring, m -> m != null && done.test(m));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            MonitoringStatus last = monitoring();
            throw new AssertionError(
                    what + " not in the status within " + LIMIT + "; it was: "
                            + (last == null
                                    ? "none"
                                    : "window " + last.getWindow() + ", baseline " + last.getBaseline() + ", message '"
                                            + last.getMessage() + "', crossed " + describe(last.getCrossed())),
                    e);
        }
    }

    /** {@code n} requests of one row each (rows drawn at random), {@code shift} added to {@link #SHIFTED}, 4 at once. */
    private void serve(List<String> rows, int n, double shift) throws Exception {
        String path = "/v1/projects/demo/models/" + MODEL + ":explain";
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String[] row = rows.get(random.nextInt(rows.size()))
                    .replace("[", "")
                    .replace("]", "")
                    .split(",\\s*");
            row[1] = String.format(Locale.ROOT, "%.2f", Double.parseDouble(row[1]) + shift);
            bodies.add("{\"instances\": [[" + String.join(", ", row) + "]]}");
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ExplainScenario.Reply>> replies = new ArrayList<>();
            for (String body : bodies) {
                replies.add(pool.submit(() -> caller.post(MODEL, path, body, token)));
            }
            for (Future<ExplainScenario.Reply> r : replies) {
                ExplainScenario.Reply reply = r.get();
                assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The version's pod's gauges {@code explainable_attribution_<kind>} by feature, as Prometheus scrapes them. */
    private Map<String, Double> gauges(String kind) throws Exception {
        List<Pod> pods = client.pods()
                .inNamespace(ExplainScenario.NS)
                .withLabel(Labels.MODEL, MODEL)
                .list()
                .getItems();
        assertThat(pods).hasSize(1);
        String text = LocalClusterEndToEndTest.get(
                        "http://" + pods.get(0).getStatus().getPodIP() + ":9000/q/metrics")
                .body();
        Map<String, Double> out = new HashMap<>();
        Matcher m = Pattern.compile("explainable_attribution_" + kind + "\\{([^}]*)\\} (\\S+)")
                .matcher(text);
        while (m.find()) {
            Matcher f = Pattern.compile("feature=\"([^\"]*)\"").matcher(m.group(1));
            if (f.find() && m.group(1).contains("model=\"" + MODEL + "\"")) {
                out.put(f.group(1), Double.parseDouble(m.group(2)));
            }
        }
        return out;
    }
}
