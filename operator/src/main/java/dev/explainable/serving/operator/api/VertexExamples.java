package dev.explainable.serving.operator.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Vertex's {@code Examples}: example-based explanations, the nearest examples of an example set in the model's latent
 * space (the metadata's {@code latentSpaceSource}). The set is JSONL ({@code {"id": ..., <the instance's fields>}} a
 * line) on gs:// or s3://; {@code presets} choose exact or approximate search and the distance.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VertexExamples {

    /** Vertex's {@code Presets.query}. */
    public enum Query {
        PRECISE,
        FAST
    }

    /** Vertex's {@code Presets.modality}. */
    public enum Modality {
        IMAGE,
        TEXT,
        TABULAR
    }

    @Required
    @JsonPropertyDescription("The example set: {dataFormat: JSONL, gcsSource: {uris: [gs:// or s3:// files, * and ? in"
            + " the last segment]}}.")
    private ExampleGcsSource exampleGcsSource;

    @Min(1)
    @Max(100)
    @JsonPropertyDescription(
            "Neighbours per instance (1-100; default 10); a request's examplesOverride may ask for" + " another count.")
    private Integer neighborCount;

    @JsonPropertyDescription("query PRECISE (exact search, the default) or FAST (an HNSW graph, re-ranked exactly);"
            + " modality TABULAR (squared Euclidean distance, the default), IMAGE or TEXT (cosine distance).")
    private Presets presets;

    /** Where the examples are. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ExampleGcsSource {
        @JsonPropertyDescription("JSONL, the only format (Vertex's too).")
        private String dataFormat;

        @Required
        private GcsSource gcsSource;

        public String getDataFormat() {
            return dataFormat;
        }

        public void setDataFormat(String dataFormat) {
            this.dataFormat = dataFormat;
        }

        public GcsSource getGcsSource() {
            return gcsSource;
        }

        public void setGcsSource(GcsSource gcsSource) {
            this.gcsSource = gcsSource;
        }
    }

    /** Vertex's {@code GcsSource}: the files. */
    @ValidationRule(
            value = "self.uris.all(u, u.startsWith('gs://') || u.startsWith('s3://'))",
            message = "example set URIs are gs:// or s3:// URIs",
            reason = "FieldValueInvalid")
    public static class GcsSource {
        @Required
        @Size(min = 1, max = 100)
        @JsonPropertyDescription("gs:// or s3:// files of the example set; * and ? in the last segment.")
        private List<String> uris;

        public List<String> getUris() {
            return uris;
        }

        public void setUris(List<String> uris) {
            this.uris = uris;
        }
    }

    /** Vertex's {@code Presets}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Presets {
        private Query query;
        private Modality modality;

        public Query getQuery() {
            return query;
        }

        public void setQuery(Query query) {
            this.query = query;
        }

        public Modality getModality() {
            return modality;
        }

        public void setModality(Modality modality) {
            this.modality = modality;
        }
    }

    /** The example set's URIs. */
    public List<String> uris() {
        return exampleGcsSource == null || exampleGcsSource.getGcsSource() == null
                ? List.of()
                : exampleGcsSource.getGcsSource().getUris() == null
                        ? List.of()
                        : exampleGcsSource.getGcsSource().getUris();
    }

    /** The runtime's {@code explain.examples.search}: approximate for FAST, exact otherwise. */
    public String search() {
        return presets != null && presets.getQuery() == Query.FAST ? "approximate" : "exact";
    }

    /** The runtime's {@code explain.examples.distance}: cosine for images and text, squared-l2 otherwise. */
    public String distance() {
        return presets != null && (presets.getModality() == Modality.IMAGE || presets.getModality() == Modality.TEXT)
                ? "cosine"
                : "squared-l2";
    }

    public ExampleGcsSource getExampleGcsSource() {
        return exampleGcsSource;
    }

    public void setExampleGcsSource(ExampleGcsSource exampleGcsSource) {
        this.exampleGcsSource = exampleGcsSource;
    }

    public Integer getNeighborCount() {
        return neighborCount;
    }

    public void setNeighborCount(Integer neighborCount) {
        this.neighborCount = neighborCount;
    }

    public Presets getPresets() {
        return presets;
    }

    public void setPresets(Presets presets) {
        this.presets = presets;
    }
}
