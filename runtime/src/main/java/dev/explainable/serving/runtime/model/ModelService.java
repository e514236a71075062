package dev.explainable.serving.runtime.model;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.PreDestroy;

import org.jboss.logging.Logger;
import org.tensorflow.proto.DataType;

import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.explain.Explainer;
import dev.explainable.serving.runtime.explain.Instance;
import dev.explainable.serving.runtime.explain.IntegratedGradientsExplainer;
import dev.explainable.serving.runtime.explain.ModelRunner;
import dev.explainable.serving.runtime.explain.SampledShapleyExplainer;
import dev.explainable.serving.runtime.explain.XraiExplainer;
import dev.explainable.serving.runtime.explain.IntegrationRule;
import dev.explainable.serving.runtime.explain.xrai.XraiParameters;
import dev.explainable.serving.runtime.metadata.ExplanationMetadata;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.metadata.MetadataLoader;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedInput;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedOutput;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.tensor.InstanceDecoder;
import dev.explainable.serving.runtime.tensor.TensorSpec;
import dev.explainable.serving.runtime.visualization.ImageVisualizer;
import io.quarkus.runtime.StartupEvent;

/**
 * Owns the one model version this process serves. Loads it in the background at start-up (so health endpoints
 * answer while a big model loads), runs one warm-up explanation, then reports ready.
 */
@ApplicationScoped
public class ModelService {

    private static final Logger LOG = Logger.getLogger(ModelService.class);
    public static final Set<String> METHODS = Set.of("integrated-gradients", "xrai", "sampled-shapley");

    /** Everything a request needs, published at once when loading completes. */
    public record Loaded(ServingModel model, ModelRunner runner, ImageVisualizer explainer, InstanceDecoder decoder,
            long warmUpMillis) {
    }

    private final ExplainConfig config;
    private volatile Loaded loaded;
    private volatile String failure;

    public ModelService(ExplainConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent ev) {
        Thread t = new Thread(this::loadQuietly, "model-loader");
        t.setDaemon(true);
        t.start();
    }

    private void loadQuietly() {
        try {
            loaded = load(config);
            LOG.infof("model %s version %s is ready (warm-up explain %d ms)", config.model().name(),
                    config.model().version(), loaded.warmUpMillis());
        } catch (RuntimeException | Error e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.errorf(e, "model failed to load: %s", failure);
            if (config.exitOnLoadFailure()) {
                System.err.println("model failed to load: " + failure); // the pod's termination message
                io.quarkus.runtime.Quarkus.asyncExit(3);
            }
        }
    }

    /** Loads, validates and warms up; pure apart from TensorFlow, so tests can call it directly. */
    public static Loaded load(ExplainConfig config) {
        String methodName = config.method().toLowerCase(Locale.ROOT);
        if (!METHODS.contains(methodName)) {
            throw new MetadataException("explain.method must be one of " + METHODS + ", got '" + config.method() + "'");
        }
        Path dir = Path.of(config.model().dir().orElseThrow(
                () -> new MetadataException("explain.model.dir (EXPLAIN_MODEL_DIR) is not set")));
        Path metadataFile = config.metadata().file().map(Path::of).orElse(dir.resolve(MetadataLoader.FILE_NAME));
        ExplanationMetadata metadata = MetadataLoader.load(metadataFile);
        ServingModel model = ServingModel.load(dir, metadata, config.model().signature());
        try {
            ModelRunner runner = new ModelRunner(model, config.limits().maxBatchElements());
            IntegrationRule rule = IntegrationRule.parse(config.integrationRule());
            var x = config.xrai();
            Explainer method = switch (methodName) {
                case "sampled-shapley" -> new SampledShapleyExplainer(runner, config.paths(), config.batchSize(), 0L);
                case "xrai" -> new XraiExplainer(runner, config.integralSteps(), config.batchSize(), rule,
                        new XraiParameters(x.segmentationSize(), x.scales(), x.sigma(), x.minSegmentSize(),
                                x.dilationRadius(), x.minPixelDiff(), x.areaThreshold()));
                default -> new IntegratedGradientsExplainer(runner, config.integralSteps(), config.batchSize(), rule);
            };
            ImageVisualizer explainer = new ImageVisualizer(method, model, methodName,
                    config.visualization().includeRaw());
            Map<String, String> aliases = new HashMap<>();
            for (ExplainedInput e : model.explainedInputs()) {
                if (e.isSignatureInput()) {
                    aliases.put(e.key(), e.signatureKey());
                }
            }
            InstanceDecoder decoder = new InstanceDecoder(model.signatureInputs(), aliases,
                    config.limits().maxImagePixels(), config.limits().maxFreeDimension(),
                    config.limits().maxBatchElements());
            long start = System.nanoTime();
            try {
                explainer.explain(warmUpInstance(model, config.warmUpFreeDimension()));
            } catch (RuntimeException e) {
                throw new MetadataException("the warm-up explanation failed (free dimensions took the size "
                        + config.warmUpFreeDimension() + ", explain.warm-up-free-dimension): " + e.getMessage());
            }
            return new Loaded(model, runner, explainer, decoder, (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Baseline-like zeros with the model's shapes: exercises the full explanation path once. Free dimensions take
     * {@code freeDimension}: 1 would fail models whose valid-padding convolutions need a minimum size.
     */
    static Instance warmUpInstance(ServingModel model, int freeDimension) {
        Map<String, HostTensor> signature = new LinkedHashMap<>();
        for (TensorSpec s : model.signatureInputs()) {
            signature.put(s.key(), zeros(s.dtype(), s.shape(), freeDimension));
        }
        Map<String, HostTensor> explained = new LinkedHashMap<>();
        for (ExplainedInput e : model.explainedInputs()) {
            explained.put(e.key(), zeros(DataType.DT_FLOAT, e.spec().shape(), freeDimension));
        }
        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        for (ExplainedOutput o : model.explainedOutputs()) {
            outputs.put(o.key(), zeros(DataType.DT_FLOAT, o.shape(), 1));
        }
        return new Instance(signature, explained, outputs);
    }

    private static HostTensor zeros(DataType dtype, long[] shape, int freeDimension) {
        long[] s = shape == null ? new long[0] : shape.clone();
        for (int i = 0; i < s.length; i++) {
            s[i] = s[i] < 0 ? freeDimension : Math.max(1, s[i]);
        }
        int n = (int) HostTensor.elements(s);
        Object data = switch (dtype) {
            case DT_FLOAT -> new float[n];
            case DT_DOUBLE -> new double[n];
            case DT_INT32 -> new int[n];
            case DT_INT64 -> new long[n];
            case DT_BOOL -> new boolean[n];
            case DT_STRING -> {
                byte[][] b = new byte[n][];
                java.util.Arrays.fill(b, new byte[0]);
                yield b;
            }
            default -> throw new MetadataException("unsupported input dtype " + dtype);
        };
        return new HostTensor(dtype, s, data);
    }

    /** The loaded model, or null while loading or after a failure. */
    public Loaded loaded() {
        return loaded;
    }

    /** Why loading failed, or null. */
    public String failure() {
        return failure;
    }

    public String modelName() {
        return config.model().name();
    }

    public String version() {
        return config.model().version();
    }

    public String method() {
        return config.method().toLowerCase(Locale.ROOT);
    }

    @PreDestroy
    void close() {
        Loaded l = loaded;
        loaded = null;
        if (l != null) {
            l.model().close();
        }
    }
}
