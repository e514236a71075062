package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import java.net.URL;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.metadata.MetadataLoader;
import dev.explainable.serving.runtime.testing.ServedModelProfile;

/**
 * The page on the token-id text model ({@code text_embedding}: int32 ids, a Keras Embedding, {@code concat_embedding})
 * in headless Chromium: one box for the ids, one chip per token coloured by its attribution's sign and size, the
 * exact values on keyboard focus, and ids given as a JSON list; and the description that links the ids to the
 * embedding. Writes docs/images/page-text.png with {@code -Ddocs.images}.
 */
@QuarkusTest
@TestProfile(TextModelPageTest.TextEmbedding.class)
class TextModelPageTest {

    static final String EMBEDDING =
            "StatefulPartitionedCall_1/StatefulPartitionedCall/functional_1/embedding_1/GatherV2:0";

    public static class TextEmbedding extends ServedModelProfile {
        public TextEmbedding() {
            super("text_embedding", "reviews");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    @Test
    void describesTheIdsAndTheEmbedding() {
        given().get("/runtime/model")
                .then()
                .statusCode(200)
                .body("model", equalTo("reviews"))
                .body("request_inputs[0].name", equalTo("tokens"))
                .body("request_inputs[0].dtype", equalTo("int32"))
                .body("request_inputs[0].shape", contains(6))
                .body("request_inputs[0].explained_input", equalTo("tokens"))
                .body("request_inputs[0].sample", contains(0, 0, 0, 0, 0, 0))
                .body("inputs[0].name", equalTo("tokens"))
                .body("inputs[0].tensor_name", equalTo("serving_default_tokens:0"))
                .body("inputs[0].request_input", equalTo("tokens"))
                .body("inputs[0].dtype", equalTo("int32"))
                .body("inputs[0].shape", contains(6))
                .body("inputs[0].modality", equalTo("text"))
                .body("inputs[0].encoding", equalTo("concat_embedding"))
                .body("inputs[0].encoded_tensor_name", equalTo(EMBEDDING))
                .body("inputs[0].encoded_shape", contains(6, 4))
                .body("inputs[0]", not(hasKey("baselines")))
                .body("inputs[0]", not(hasKey("encoded_baselines")))
                .body("outputs[0].label_names", contains("negative", "neutral", "positive"))
                .body("sample_instance", contains(0, 0, 0, 0, 0, 0));
    }

    @Test
    void tokenChipsInHeadlessChromium() throws Exception {
        PageScript.assumeBrowser();
        JsonNode explanations = TestModels.expected("text_embedding").get("explanations");
        JsonNode first = explanations.get(0);
        List<String> labels = MetadataLoader.load(
                        TestModels.dir("text_embedding").resolve(MetadataLoader.FILE_NAME))
                .outputs()
                .get("sentiment")
                .indexNameMapping();
        String label = labels.get(first.get("label_index").asInt());
        String expectations = "{\"kind\": \"text\", \"label\": \"" + label + "\", \"warning\": false, "
                + "\"tokens\": " + first.get("tokens") + ", \"reference\": " + first.get("attributions")
                + ", \"tokens2\": " + explanations.get(1).get("tokens") + ", \"shotUntil\": \"#result\"}";
        PageScript.viewer(base, expectations, PageScript.screenshot("page-text.png"));
    }
}
