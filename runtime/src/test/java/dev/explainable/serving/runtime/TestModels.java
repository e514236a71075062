package dev.explainable.serving.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.model.ModelService;

/** The committed test SavedModels (tools/make-test-models.py) and their Python-side expectations. */
public final class TestModels {

    public static final Path ROOT = Path.of("src/test/resources/models");
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, ModelService.Loaded> CACHE = new HashMap<>();

    private TestModels() {
    }

    public static Path dir(String model) {
        return ROOT.resolve(model);
    }

    public static JsonNode expected(String model) {
        try {
            return JSON.readTree(Files.readString(dir(model).resolve("expected.json")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loaded once per JVM with the given steps: loading natives and models is the slow part of a test. */
    public static synchronized ModelService.Loaded load(String model, int steps) {
        return CACHE.computeIfAbsent(model + "@" + steps, k -> ModelService.load(config(model, steps, 64)));
    }

    /** Sampled Shapley with the given number of permutations, loaded once per JVM. */
    public static synchronized ModelService.Loaded loadShapley(String model, int paths) {
        return CACHE.computeIfAbsent(model + "#shapley@" + paths, k -> ModelService.load(
                new Config(dir(model).toString(), Optional.empty(), "sampled-shapley", paths, 64)));
    }

    /** Any method and integration rule, loaded once per JVM. */
    public static synchronized ModelService.Loaded load(String model, String method, int steps, String rule) {
        return CACHE.computeIfAbsent(model + "#" + method + "@" + steps + "/" + rule, k -> ModelService.load(
                new Config(dir(model).toString(), Optional.empty(), method, steps, 64, rule)));
    }

    public static ExplainConfig config(String model, int steps, int batchSize) {
        return new Config(dir(model).toString(), Optional.empty(), "integrated-gradients", steps, batchSize);
    }

    public record Config(String dir, Optional<String> metadataFile, String method, int integralSteps, int batchSize,
            String integrationRule) implements ExplainConfig {

        public Config(String dir, Optional<String> metadataFile, String method, int integralSteps, int batchSize) {
            this(dir, metadataFile, method, integralSteps, batchSize, "trapezoid");
        }

        @Override
        public Xrai xrai() {
            var d = dev.explainable.serving.runtime.explain.xrai.XraiParameters.defaults();
            return new Xrai() {
                public int segmentationSize() {
                    return d.segmentationSize();
                }

                public java.util.List<Double> scales() {
                    return d.scales();
                }

                public double sigma() {
                    return d.sigma();
                }

                public int minSegmentSize() {
                    return d.minSegmentSize();
                }

                public int dilationRadius() {
                    return d.dilationRadius();
                }

                public int minPixelDiff() {
                    return d.minPixelDiff();
                }

                public double areaThreshold() {
                    return d.areaThreshold();
                }
            };
        }

        @Override
        public Model model() {
            return new Model() {
                public Optional<String> dir() {
                    return Optional.of(Config.this.dir);
                }

                public String name() {
                    return "m";
                }

                public String version() {
                    return "v1";
                }

                public String signature() {
                    return "serving_default";
                }
            };
        }

        @Override
        public Metadata metadata() {
            return () -> metadataFile;
        }

        /** For sampled-shapley configs the steps field carries the number of paths. */
        @Override
        public int paths() {
            return method.equals("sampled-shapley") ? integralSteps : 50;
        }

        @Override
        public Visualization visualization() {
            return () -> true; // raw values beside the rendered images, so tests can check the numbers
        }

        @Override
        public boolean exitOnLoadFailure() {
            return false;
        }

        @Override
        public long maxRequestBytes() {
            return 1_572_864;
        }

        @Override
        public int warmUpFreeDimension() {
            return 224;
        }

        /** The shipped defaults (application.properties). */
        @Override
        public Limits limits() {
            return new Limits() {
                public int maxInstances() {
                    return 32;
                }

                public long maxImagePixels() {
                    return 4_194_304L;
                }

                public long maxFreeDimension() {
                    return 4096;
                }

                public long maxBatchElements() {
                    return 1_048_576L;
                }

                public long maxRequestElements() {
                    return 1_000_000_000L;
                }

                public java.time.Duration deadline() {
                    return java.time.Duration.ofSeconds(60);
                }

                public java.time.Duration bodyTimeout() {
                    return java.time.Duration.ofSeconds(30);
                }
            };
        }

        @Override
        public Admission admission() {
            return new Admission() {
                public int maxConcurrentExplanations() {
                    return 2;
                }

                public int maxQueuedExplanations() {
                    return 16;
                }

                public int maxConcurrentPredictions() {
                    return 4;
                }

                public int maxQueuedPredictions() {
                    return 64;
                }

                public java.time.Duration maxQueueWait() {
                    return java.time.Duration.ofSeconds(10);
                }
            };
        }
    }
}
