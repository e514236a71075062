package dev.explainable.serving.runtime.service;

import java.nio.file.Path;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;

import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.config.RuntimeOptions;

/**
 * Owns the one model version this process serves and its lifecycle: {@link ModelState.Loading} from start-up (in
 * the background, so health endpoints answer while a big model loads), then {@link ModelState.Ready} after one
 * warm-up explanation, or {@link ModelState.Failed} with the reason.
 */
@ApplicationScoped
public class ModelHost {

    private static final Logger LOG = Logger.getLogger(ModelHost.class);

    private final ExplainConfig config;
    private volatile ModelState state = new ModelState.Loading();

    public ModelHost(ExplainConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent ev) {
        Thread t = new Thread(this::load, "model-loader");
        t.setDaemon(true);
        t.start();
    }

    private void load() {
        Path cacheDir = config.storage().cacheDir().map(Path::of).orElseGet(ModelSource::defaultCacheDir);
        try {
            // parsed here, not at injection: a bad method name is a load failure readiness reports, not a crash
            // a URI (gs://, s3://, https://) is fetched into the cache folder first; a failed fetch fails here
            RuntimeOptions options =
                    ModelSource.local(RuntimeOptions.from(config), RuntimeOptions.storage(config), cacheDir);
            LoadedModel loaded = ModelLoader.load(options, RuntimeOptions.storage(config));
            state = new ModelState.Ready(loaded);
            LOG.infof(
                    "model %s version %s is ready (warm-up explain %d ms)",
                    modelName(), version(), loaded.warmUpMillis());
        } catch (RuntimeException | Error e) {
            // the pod's log has the whole message; readiness and the API's 503s say it without local paths
            String reason = PublicReason.of(e, cacheDir);
            state = new ModelState.Failed(reason);
            LOG.errorf(e, "model failed to load: %s", e.getMessage() == null ? e.toString() : e.getMessage());
            if (config.exitOnLoadFailure()) {
                System.err.println("model failed to load: " + reason); // the pod's termination message
                Quarkus.asyncExit(3);
            }
        }
    }

    public ModelState state() {
        return state;
    }

    /** The ready model, or {@link ModelNotReadyException} saying why there is none. */
    public LoadedModel ready() {
        ModelState s = state;
        if (s instanceof ModelState.Ready r) {
            return r.model();
        }
        if (s instanceof ModelState.Failed f) {
            throw new ModelNotReadyException("model '" + modelName() + "' failed to load: " + f.reason());
        }
        throw new ModelNotReadyException("model '" + modelName() + "' is still loading; retry shortly");
    }

    public String modelName() {
        return config.model().name();
    }

    public String version() {
        return config.model().version();
    }

    /** How many devices of {@code type} ({@code CPU}, {@code GPU}) the ready model runs with; 0 before it is ready. */
    public int deviceCount(String type) {
        ModelState s = state;
        return s instanceof ModelState.Ready r
                ? (int) r.model().description().devices().stream()
                        .filter(d -> d.type().equals(type))
                        .count()
                : 0;
    }

    /**
     * The rows one run of the ready model may take since TensorFlow ran out of memory on a larger run (the batch
     * size fitted to the device's memory); 0 while none has, or before the model is ready.
     */
    public int fittedRowsPerRun() {
        return state instanceof ModelState.Ready r
                        && r.model().pipeline().rowLimit().lowered()
                ? r.model().pipeline().rowLimit().get()
                : 0;
    }

    /** TensorFlow runs of the served model's shared runs so far; 0 until it is ready. */
    public long sharedRuns() {
        return state instanceof ModelState.Ready r
                ? r.model().pipeline().sharedRuns().runs()
                : 0;
    }

    /** Requests' parts those runs carried (parts per run: how many requests a run served). */
    public long sharedRunParts() {
        return state instanceof ModelState.Ready r
                ? r.model().pipeline().sharedRuns().partsRun()
                : 0;
    }

    /** What {@link #exampleSet} reports of the served model's example set. */
    public enum ExampleFigure {
        EXAMPLES,
        BYTES,
        BAD_LINES
    }

    /** A figure of the ready model's example set; 0 without one, or before the model is ready. */
    public double exampleSet(ExampleFigure figure) {
        if (!(state instanceof ModelState.Ready r) || r.model().pipeline().examples() == null) {
            return 0;
        }
        var report = r.model().pipeline().examples().set().report();
        return switch (figure) {
            case EXAMPLES -> report.examples();
            case BYTES -> report.bytes();
            case BAD_LINES -> report.badLines();
        };
    }

    /** The configured method's name as configured (normalized), also when it does not parse. */
    public String method() {
        return config.method().trim().toLowerCase(java.util.Locale.ROOT);
    }

    @PreDestroy
    void close() {
        ModelState s = state;
        state = new ModelState.Failed("the runtime is stopping");
        if (s instanceof ModelState.Ready r) {
            r.model().close();
        }
    }
}
