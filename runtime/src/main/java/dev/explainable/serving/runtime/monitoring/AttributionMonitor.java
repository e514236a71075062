package dev.explainable.serving.runtime.monitoring;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.config.RuntimeOptions;
import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.service.ExplainOptions;
import dev.explainable.serving.runtime.storage.ObjectFiles;

/**
 * Watches served explanations over time (Vertex Model Monitoring's feature attribution skew and drift): a sample of
 * the explanations the API answers with the version's own explanation settings (requests that change the method's
 * parameters are not comparable and are left out) goes into {@link AttributionWindows}; each full window sets the
 * gauges {@code explainable_attribution_skew} and {@code explainable_attribution_drift} per feature (the largest share
 * change over the labels) and for {@code feature=""} (the largest Jensen–Shannon distance), and
 * {@code explainable_attribution_ndcg} (the smallest ranking nDCG), and logs the features that crossed a threshold.
 * The baseline (explain.monitoring.baseline-uri) is read at start, in the background, and again at each window's end
 * until a read succeeds; until then, or without one, there is no skew. Sampling reads attributions computed anyway: no TensorFlow work is added.
 */
@Singleton
@Startup
public class AttributionMonitor {

    static final long MAX_BASELINE_BYTES = 8L << 20;
    /** Per-feature gauges of each kind (skew, drift): Prometheus series stay bounded whatever the features. */
    static final int MAX_FEATURE_GAUGES = 256;

    private static final Logger LOG = Logger.getLogger(AttributionMonitor.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A threshold crossed: the feature ("" overall), skew or drift, the score, and the window and time it was seen. */
    public record Crossing(String feature, String kind, double score, double threshold, long window, String time) {}

    private final double rate;
    private final int windowSize;
    private final double skewThreshold;
    private final double driftThreshold;
    private final String baselineUri;
    private final AttributionWindows windows;
    private final MeterRegistry registry;
    private final String model;
    private final String version;
    private final Map<String, Double> gauges = new ConcurrentHashMap<>();
    private final ExplainConfig config;
    private final java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile AttributionProfile baseline;
    private volatile String baselineProblem;
    private volatile List<Crossing> crossings = List.of();

    public AttributionMonitor(ExplainConfig config, MeterRegistry registry) {
        ExplainConfig.Monitoring m = config.monitoring();
        if (!(m.sampleRate() >= 0 && m.sampleRate() <= 1)) {
            throw new IllegalArgumentException(
                    "explain.monitoring.sample-rate must be from 0 to 1, got " + m.sampleRate());
        }
        if (m.windowSize() < 10 || m.windowSize() > 10_000_000) {
            throw new IllegalArgumentException(
                    "explain.monitoring.window-size must be from 10 to 10000000, got " + m.windowSize());
        }
        if (!(m.skewThreshold() > 0) || !(m.driftThreshold() > 0)) {
            throw new IllegalArgumentException("explain.monitoring.skew-threshold and drift-threshold must be above 0");
        }
        this.rate = m.sampleRate();
        this.windowSize = m.windowSize();
        this.skewThreshold = m.skewThreshold();
        this.driftThreshold = m.driftThreshold();
        this.baselineUri = m.baselineUri().filter(u -> !u.isBlank()).orElse(null);
        this.windows = new AttributionWindows(m.windowSize(), () -> baseline);
        this.registry = registry;
        this.model = config.model().name();
        this.version = config.model().version();
        this.config = config;
        if (rate > 0) {
            // the thresholds beside the scores, so that an alert rule compares each model with its own
            Gauge.builder("explainable.attribution.skew.threshold", () -> skewThreshold)
                    .tags("model", model, "version", version)
                    .register(registry);
            Gauge.builder("explainable.attribution.drift.threshold", () -> driftThreshold)
                    .tags("model", model, "version", version)
                    .register(registry);
        }
        if (rate > 0 && baselineUri != null) {
            readBaselineInBackground();
        }
    }

    /** Whether any explanation is sampled. */
    public boolean enabled() {
        return rate > 0;
    }

    /** Samples {@code explanations}, answered with {@code options}; finished windows update the gauges. */
    public void observe(List<Explanation> explanations, ExplainOptions options) {
        if (rate <= 0 || !comparable(options)) {
            return;
        }
        for (Explanation e : explanations) {
            if (rate >= 1 || ThreadLocalRandom.current().nextDouble() < rate) {
                AttributionWindows.Window w = windows.add(e);
                if (w != null) {
                    publish(w);
                }
            }
        }
    }

    /** The request keeps the version's method parameters (display choices and labels may differ). */
    static boolean comparable(ExplainOptions o) {
        return o.stepCount() == null
                && o.pathCount() == null
                && o.baselines() == null
                && o.smoothGrad() == null
                && o.maxBlurSigma() == null
                && o.targetApproxError() == null;
    }

    /** One read at a time, off the request threads; tried again at each window's end until it succeeds. */
    private void readBaselineInBackground() {
        if (reading.compareAndSet(false, true)) {
            Thread reader = new Thread(
                    () -> {
                        try {
                            readBaseline(config);
                        } finally {
                            reading.set(false);
                        }
                    },
                    "baseline-reader");
            reader.setDaemon(true);
            reader.start();
        }
    }

    /** The last window published: windows finishing at once publish in order, the newest last. */
    private long published;

    private synchronized void publish(AttributionWindows.Window w) {
        if (w.index() <= published) {
            return;
        }
        published = w.index();
        if (baseline == null && baselineUri != null) {
            readBaselineInBackground(); // a baseline written after the start (a batch job's) is picked up
        }
        List<Crossing> crossed = new ArrayList<>();
        String now = Instant.now().toString();
        if (baseline != null) {
            update("skew", w.skew(), skewThreshold, w.index(), now, crossed);
        }
        update("drift", w.drift(), driftThreshold, w.index(), now, crossed);
        crossings = List.copyOf(crossed);
        if (!crossed.isEmpty()) {
            LOG.warnf(
                    "attribution monitoring, window %d: %s",
                    w.index(),
                    String.join(
                            "; ",
                            crossed.stream()
                                    .map(c -> c.kind() + " of "
                                            + (c.feature().isEmpty() ? "all features" : c.feature()) + " "
                                            + String.format(java.util.Locale.ROOT, "%.3f", c.score()) + " > "
                                            + c.threshold())
                                    .toList()));
        }
    }

    private void update(
            String kind,
            Map<String, ProfileDistance> byLabel,
            double threshold,
            long window,
            String now,
            List<Crossing> crossed) {
        String prefix = "explainable.attribution." + kind + "\u0000";
        if (byLabel.isEmpty()) {
            // nothing to compare this window: no score, rather than the last one's standing forever
            gauges.replaceAll((key, v) -> key.startsWith(prefix) ? Double.NaN : v);
            return;
        }
        Map<String, Double> perFeature = new LinkedHashMap<>();
        double overall = 0;
        double ndcg = 1;
        for (ProfileDistance d : byLabel.values()) {
            overall = Math.max(overall, d.jensenShannon());
            ndcg = Math.min(ndcg, d.ndcg());
            d.shareChange().forEach((f, v) -> perFeature.merge(f, v, Math::max));
        }
        gauge("explainable.attribution." + kind, "", overall);
        gauge("explainable.attribution.ndcg", kind.equals("skew") ? "baseline" : "previous", ndcg);
        if (overall > threshold) {
            crossed.add(new Crossing("", kind, overall, threshold, window, now));
        }
        // a feature this window does not score (gone from the model's answers) has no score, not its last one
        gauges.replaceAll((key, v) ->
                key.startsWith(prefix) && !key.equals(prefix) && !perFeature.containsKey(key.substring(prefix.length()))
                        ? Double.NaN
                        : v);
        for (Map.Entry<String, Double> f : perFeature.entrySet()) {
            if (!gauges.containsKey(prefix + f.getKey()) && featureGauges(prefix) >= MAX_FEATURE_GAUGES) {
                continue; // bounded series: the report still lists every feature
            }
            gauge("explainable.attribution." + kind, f.getKey(), f.getValue());
            if (f.getValue() > threshold) {
                crossed.add(new Crossing(f.getKey(), kind, f.getValue(), threshold, window, now));
            }
        }
    }

    private long featureGauges(String prefix) {
        return gauges.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    }

    /** Sets gauge {@code name}: for {@code ndcg} the tag is "against", else "feature". */
    private void gauge(String name, String tag, double value) {
        String key = name + "\u0000" + tag;
        if (gauges.put(key, value) == null) {
            Gauge.builder(name, gauges, g -> g.getOrDefault(key, Double.NaN))
                    .tags("model", model, "version", version, name.endsWith("ndcg") ? "against" : "feature", tag)
                    .register(registry);
        }
    }

    private void readBaseline(ExplainConfig config) {
        try (ObjectFiles files = new ObjectFiles(RuntimeOptions.storage(config))) {
            AttributionProfile merged = AttributionProfile.EMPTY;
            for (ObjectFiles.Input in : files.expand(baselineUri)) {
                if (in.size() > MAX_BASELINE_BYTES) {
                    throw new IOException(in.location() + " is over " + MAX_BASELINE_BYTES + " bytes");
                }
                try (InputStream s = files.open(in.location())) {
                    merged = merged.merge(
                            JSON.readValue(s.readNBytes((int) MAX_BASELINE_BYTES), AttributionProfile.class));
                }
            }
            baseline = merged;
            baselineProblem = null;
            LOG.infof(
                    "attribution monitoring: baseline %s read (%d explanations, %d labels)",
                    baselineUri, merged.explanations(), merged.labels().size());
        } catch (Exception e) {
            baselineProblem = e.getMessage();
            LOG.warnf(
                    "attribution monitoring: the baseline %s could not be read (%s); no skew",
                    baselineUri, e.getMessage());
        }
    }

    /** What {@code GET /runtime/model/attributions} answers. */
    public record Report(
            double sampleRate,
            int windowSize,
            long filling,
            String baselineUri,
            boolean baselineRead,
            String baselineProblem,
            double skewThreshold,
            double driftThreshold,
            AttributionWindows.Window lastWindow,
            List<Crossing> crossed,
            long dropped) {}

    public Report report() {
        return new Report(
                rate,
                windowSize,
                windows.filling(),
                baselineUri,
                baseline != null,
                baselineProblem,
                skewThreshold,
                driftThreshold,
                windows.last(),
                crossings,
                windows.dropped());
    }
}
