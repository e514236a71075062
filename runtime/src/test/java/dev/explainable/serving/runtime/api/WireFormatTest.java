package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.http.HttpServerRequest;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.api.aiplatform.AiPlatformWire;
import dev.explainable.serving.runtime.api.call.WireValues;
import dev.explainable.serving.runtime.api.description.ModelDescriptionWire;
import dev.explainable.serving.runtime.api.errors.ErrorBody;
import dev.explainable.serving.runtime.api.errors.ErrorMappers;
import dev.explainable.serving.runtime.api.vertex.VertexWire;
import dev.explainable.serving.runtime.explain.IntegrationRule;
import dev.explainable.serving.runtime.service.ModelState;

/**
 * The JSON on the wire, byte for byte, against goldens written by the code as it was before the answers became typed
 * records (December 2026): the answers of both contracts, the model and version resources, the Endpoint, the model
 * description and the error shapes, through the application's own {@link ObjectMapper} (so numbers keep their form:
 * a float32 output is written as the double it widens to, attributions as doubles, counts as integers).
 *
 * <p>Two kinds of goldens. Answers built from fixed results (every optional field present and absent, every value
 * form: tensors, scalars, named features, rendered images; every element type of a prediction) and the descriptions
 * and version resources of several committed models are compared exactly. Answers over HTTP on the served model are
 * compared exactly too (status, Content-Type, body), except for computed numbers: TensorFlow's kernels may round
 * differently on another CPU, so each such number must be within 1e-5 of the golden's, of the same form (a float32
 * widened to double, or a double) and of as many significant digits, class for class.
 *
 * <p>Rewrite the goldens, after a deliberate change of the wire format only, with
 * {@code ./mvnw -pl runtime test -Dtest=WireFormatTest -Dgoldens.update=true}, then read the diff.
 */
@QuarkusTest
class WireFormatTest {

    static final Path GOLDENS = Path.of("src/test/resources/goldens/wire");
    static final boolean UPDATE = Boolean.getBoolean("goldens.update");

    @Inject
    ObjectMapper json;

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    // ---- answers built from fixed results ------------------------------------------------------------------------

    @Test
    void aiPlatformExplanations() throws IOException {
        exactly("aiplatform-explain.json", write(AiPlatformWire.ExplainResponse.of(WireFixtures.explanations())));
    }

    @Test
    void aiPlatformPredictions() throws IOException {
        exactly("aiplatform-predict.json", write(AiPlatformWire.PredictResponse.of(WireFixtures.predictions())));
    }

    @Test
    void vertexExplanations() throws IOException {
        exactly(
                "vertex-explain.json",
                write(VertexWire.ExplainResponse.of(
                        WireFixtures.explanations(),
                        WireFixtures.instances(),
                        "v7",
                        WireValues.predictionList(WireFixtures.predictions()))));
    }

    @Test
    void vertexPredictions() throws IOException {
        exactly(
                "vertex-predict.json",
                write(new VertexWire.PredictResponse(WireValues.predictionList(WireFixtures.predictions()), "v7")));
    }

    @Test
    void vertexEndpoint() throws IOException {
        exactly(
                "vertex-endpoint.json",
                write(VertexWire.Endpoint.of(
                        "projects/p/locations/l/endpoints/iris", "iris", "v1", "projects/p/locations/l/models/iris")));
    }

    @Test
    void versionResources() throws IOException {
        StringBuilder out = new StringBuilder();
        AiPlatformWire.ExplanationConfig ig =
                AiPlatformWire.ExplanationConfig.of(AttributionMethod.INTEGRATED_GRADIENTS, 50, 7);
        AiPlatformWire.ExplanationConfig xrai = AiPlatformWire.ExplanationConfig.of(AttributionMethod.XRAI, 30, 7);
        AiPlatformWire.ExplanationConfig shapley =
                AiPlatformWire.ExplanationConfig.of(AttributionMethod.SAMPLED_SHAPLEY, 50, 10);
        String name = "projects/p/models/m/versions/v1";
        out.append(write(AiPlatformWire.Version.of(name, new ModelState.Loading(), ig)))
                .append('\n');
        out.append(write(AiPlatformWire.Version.of(
                        name, new ModelState.Failed("it \"broke\" <here>"), AiPlatformWire.ExplanationConfig.none())))
                .append('\n');
        out.append(write(new AiPlatformWire.Model(
                        "projects/p/models/m", AiPlatformWire.Version.of(name, new ModelState.Loading(), xrai))))
                .append('\n');
        out.append(write(AiPlatformWire.Version.of(name, new ModelState.Loading(), shapley)))
                .append('\n');
        for (String model : WireFixtures.MODELS) {
            out.append(write(AiPlatformWire.Version.of(name, new ModelState.Ready(TestModels.load(model, 8)), ig)))
                    .append('\n');
        }
        exactly("aiplatform-versions.jsonl", out.toString());
    }

    @Test
    void modelDescriptions() throws IOException {
        StringBuilder out = new StringBuilder();
        out.append(write(ModelDescriptionWire.Description.of("m", "v1", WireFixtures.description())))
                .append('\n');
        out.append(write(ModelDescriptionWire.Description.of("m", "v1", WireFixtures.sparseDescription())))
                .append('\n');
        for (String model : WireFixtures.MODELS) {
            out.append(write(ModelDescriptionWire.Description.of(
                            model,
                            "v1",
                            WireFixtures.onFixedDevices(
                                    TestModels.load(model, 8).description()))))
                    .append('\n');
        }
        out.append(write(ModelDescriptionWire.Description.of(
                        "shapley",
                        "v1",
                        WireFixtures.onFixedDevices(
                                TestModels.loadShapley("tabular_classifier", 7).description()))))
                .append('\n');
        out.append(write(ModelDescriptionWire.Description.of(
                        "xrai",
                        "v1",
                        WireFixtures.onFixedDevices(
                                TestModels.load("cnn_image", AttributionMethod.XRAI, 8, IntegrationRule.TRAPEZOID)
                                        .description()))))
                .append('\n');
        exactly("model-descriptions.jsonl", out.toString());
    }

    @Test
    void errorShapes() throws IOException {
        StringBuilder out = new StringBuilder();
        String message = WireFixtures.AWKWARD;
        for (int status :
                new int[] {400, 401, 403, 404, 405, 408, 409, 411, 413, 415, 418, 429, 499, 500, 501, 502, 503, 504, 507
                }) {
            // the REST layer's answers (ErrorMappers) and the HTTP layer's (HttpGuards), on both URL families
            out.append(write(ErrorMappers.error(request("/v1/projects/p/models/m:explain"), status, message)
                            .getEntity()))
                    .append('\n');
            out.append(write(ErrorMappers.error(
                                    request("/v1/projects/p/locations/l/endpoints/m:explain"), status, message)
                            .getEntity()))
                    .append('\n');
            out.append(ErrorBody.encode("/v1/projects/p/models/m:explain", status, message))
                    .append('\n');
            out.append(ErrorBody.encode("/v1beta1/projects/p/locations/l/endpoints/m:predict", status, message))
                    .append('\n');
        }
        out.append(write(ErrorMappers.error(null, 503, "no request: AI Platform's shape")
                        .getEntity()))
                .append('\n');
        Response retry = ErrorMappers.error(request("/v1/projects/p/locations/l/endpoints/m:explain"), 429, "busy", 3L);
        out.append(retry.getHeaderString("Retry-After")).append('\n');
        exactly("errors.jsonl", out.toString());
    }

    // ---- answers over HTTP on the served model (iris, v1) -------------------------------------------------------

    static final String MODEL = "/v1/projects/p/models/iris";
    static final String VERTEX = "/v1/projects/p/locations/us-central1/endpoints/iris";
    static final String X = "[0.3, -1.2, 2.0, 0.7, -0.4]";

    @Test
    void resourcesOverHttp() throws IOException {
        StringBuilder out = new StringBuilder();
        out.append(http("GET", MODEL, null));
        out.append(http("GET", MODEL + "/versions/v1", null));
        out.append(http("GET", VERTEX, null));
        out.append(http("GET", VERTEX.replace("/v1/", "/v1beta1/"), null));
        // the devices depend on the machine: the rest of the description does not
        out.append(http("GET", "/runtime/model", null)
                .replaceAll("\"device\":\"[A-Z]+\",\"devices\":\\[[^\\]]*\\]", "\"device\":…,\"devices\":[…]"));
        exactly("http-resources.txt", out.toString());
    }

    @Test
    void errorsOverHttp() throws IOException, InterruptedException {
        StringBuilder out = new StringBuilder();
        String body = "{\"instances\": [" + X + "]}";
        out.append(http("POST", "/v1/projects/p/models/other:explain", body));
        out.append(http("POST", MODEL + "/versions/v9:explain", body));
        out.append(http("POST", MODEL + ":frobnicate", body));
        out.append(http("POST", MODEL + ":explain", "{\"instances\": [[1, 2]]}"));
        out.append(http("POST", MODEL + ":explain", "{not json"));
        out.append(http("POST", MODEL + ":explain", "{\"instances\": []}"));
        out.append(http("GET", MODEL + "/versions/v1:explain", null));
        out.append(http("GET", MODEL + "/versions/v2", null));
        out.append(http("DELETE", MODEL + ":explain", null));
        out.append(http("POST", "/v1/nothing", "{}"));
        out.append(http("POST", VERTEX + ":explain", "{\"instances\": [" + X + "], \"deployedModelId\": \"v2\"}"));
        out.append(http("POST", VERTEX + ":explain", "{\"instances\": [" + X + "], \"deployedModelId\": 3}"));
        out.append(http("POST", VERTEX.replace("iris", "tulip") + ":explain", body));
        out.append(http("POST", VERTEX + ":explain", "{\"instances\": [[1, 2]]}"));
        out.append(http("POST", VERTEX + ":frobnicate", body));
        out.append(http("GET", VERTEX + ":explain", null));
        out.append(http("GET", VERTEX.replace("iris", "tulip"), null));
        out.append(http("DELETE", VERTEX + ":explain", null));
        out.append(http(
                "POST",
                VERTEX + ":explain",
                "{\"instances\": [" + X + "], \"explanationSpecOverride\": {\"parameters\": {\"topK\": 0}}}"));
        // refused by the HTTP layer before the REST layer: no Content-Type
        out.append(httpWithoutType(VERTEX + ":explain", body));
        out.append(httpWithoutType(MODEL + ":explain", body));
        exactly("http-errors.txt", out.toString());
    }

    @Test
    void answersOverHttp() throws IOException {
        StringBuilder out = new StringBuilder();
        String bare = "{\"instances\": [" + X + ", [1, 2, 3, 4, 5]]}";
        String named = "{\"instances\": [{\"features\": " + X + "}]}";
        out.append(http("POST", MODEL + ":explain", bare));
        out.append(http("POST", MODEL + "/versions/v1:predict", bare));
        out.append(http("POST", MODEL + ":explain", named));
        out.append(http(
                "POST",
                MODEL + ":explain",
                "{\"instances\": [" + X + "], \"parameters\": {\"targetApproxError\": 0.001}}"));
        out.append(http("POST", VERTEX + ":explain", bare));
        out.append(http("POST", VERTEX.replace("/v1/", "/v1beta1/") + ":explain", named));
        out.append(http("POST", VERTEX + ":predict", "{\"instances\": [" + X + "], \"deployedModelId\": \"v1\"}"));
        out.append(http(
                "POST",
                VERTEX + ":explain",
                "{\"instances\": [" + X + "], \"explanationSpecOverride\": {\"parameters\": {\"topK\": 2, "
                        + "\"targetApproxError\": 0.001}}}"));
        alike("http-answers.txt", out.toString());
    }

    // ---- the wire types in the OpenAPI document ------------------------------------------------------------------

    @Test
    void openApiShowsTheWireTypes() throws IOException {
        JsonNode doc = json.readTree(given().queryParam("format", "json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .extract()
                .asString());
        JsonNode schemas = doc.path("components").path("schemas");
        for (String name : List.of(
                "AiPlatformExplainResponse",
                "AiPlatformExplanation",
                "AttributionsByLabel",
                "AiPlatformPredictResponse",
                "AiPlatformModel",
                "AiPlatformVersion",
                "ExplanationConfig",
                "VertexExplainResponse",
                "VertexExplanation",
                "VertexAttribution",
                "VertexPredictResponse",
                "Endpoint",
                "DeployedModel",
                "RuntimeModelDescription",
                "RuntimeModelInput",
                "AiPlatformError",
                "GoogleError")) {
            assertTrue(
                    schemas.has(name),
                    name + " in "
                            + schemas.properties().stream()
                                    .map(Map.Entry::getKey)
                                    .toList());
        }
        // the wire's own names, not Java's
        assertTrue(schemas.path("AttributionsByLabel").path("properties").has("approx_error"));
        assertTrue(schemas.path("RuntimeModelDescription").path("properties").has("request_inputs"));
        JsonNode paths = doc.path("paths");
        assertTrue(
                paths.path("/runtime/model").toString().contains("#/components/schemas/RuntimeModelDescription"),
                paths.path("/runtime/model").toString());
        String aiPlatform = paths.path("/v1/projects/{project}/models/{target}").toString();
        for (String ref : List.of(
                "AiPlatformExplainResponse",
                "AiPlatformPredictResponse",
                "AiPlatformModel",
                "AiPlatformVersion",
                "AiPlatformError")) {
            assertTrue(aiPlatform.contains("#/components/schemas/" + ref), ref + " in " + aiPlatform);
        }
        String vertex = paths.path("/{apiVersion}/projects/{project}/locations/{location}/endpoints/{target}")
                .toString();
        for (String ref : List.of("VertexExplainResponse", "VertexPredictResponse", "Endpoint", "GoogleError")) {
            assertTrue(vertex.contains("#/components/schemas/" + ref), ref + " in " + vertex);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private String write(Object value) throws IOException {
        return json.writeValueAsString(value);
    }

    /** A request at {@code path}, as far as the error mappers read one. */
    static HttpServerRequest request(String path) {
        return (HttpServerRequest) Proxy.newProxyInstance(
                HttpServerRequest.class.getClassLoader(),
                new Class<?>[] {HttpServerRequest.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "path" -> path;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** {@code METHOD path}, the status, the Content-Type and the body as sent, one block. */
    static String http(String method, String path, String body) {
        RequestSpecification r = given();
        if (body != null) {
            r = r.contentType("application/json").body(body);
        }
        io.restassured.response.Response response = r.request(method, path);
        return block(method, path, response);
    }

    /** A POST without a Content-Type header, which RestAssured always sends. */
    static String httpWithoutType(String path, String body) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        String type = response.headers().firstValue("Content-Type").orElse(null);
        String retryAfter = response.headers().firstValue("Retry-After").orElse(null);
        return block("POST (no Content-Type)", path, response.statusCode(), type, retryAfter, response.body());
    }

    private static String block(String method, String path, io.restassured.response.Response response) {
        return block(
                method,
                path,
                response.getStatusCode(),
                response.getHeader("Content-Type"),
                response.getHeader("Retry-After"),
                response.asByteArray());
    }

    private static String block(String method, String path, int status, String type, String retryAfter, byte[] body) {
        return method + " " + path + "\n" + status + " " + type
                + (retryAfter != null ? " Retry-After: " + retryAfter : "") + "\n"
                + new String(body, StandardCharsets.UTF_8) + "\n\n";
    }

    private static void exactly(String golden, String actual) throws IOException {
        Path file = GOLDENS.resolve(golden);
        if (UPDATE) {
            Files.createDirectories(GOLDENS);
            Files.writeString(file, actual);
            return;
        }
        assertEquals(Files.readString(file), actual, golden + " (rewrite with -Dgoldens.update=true)");
    }

    /** As {@link #exactly}, but computed numbers may differ by 1e-5, keeping their form (see the class comment). */
    private static void alike(String golden, String actual) throws IOException {
        Path file = GOLDENS.resolve(golden);
        if (UPDATE) {
            Files.createDirectories(GOLDENS);
            Files.writeString(file, actual);
            return;
        }
        String want = Files.readString(file);
        List<String> wantNumbers = new ArrayList<>();
        List<String> actualNumbers = new ArrayList<>();
        assertEquals(withoutNumbers(want, wantNumbers), withoutNumbers(actual, actualNumbers), golden);
        assertEquals(wantNumbers.size(), actualNumbers.size(), golden);
        for (int i = 0; i < wantNumbers.size(); i++) {
            double w = Double.parseDouble(wantNumbers.get(i));
            double a = Double.parseDouble(actualNumbers.get(i));
            assertTrue(
                    Math.abs(w - a) <= 1e-5 * Math.max(1, Math.abs(w)),
                    golden + ": number " + i + " is " + a + ", the golden's " + w);
        }
    }

    /**
     * The text with each fractional number of each JSON body replaced by its form: {@code f32} for a float32
     * widened to double, {@code f64} otherwise, with its count of significant digits above 9 or not; integers stay.
     */
    static String withoutNumbers(String text, List<String> numbers) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (!line.startsWith("{") && !line.startsWith("[")) {
                out.append(line).append('\n');
                continue;
            }
            int at = 0;
            try (JsonParser p = new JsonFactory().createParser(line)) {
                for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                    if (t != JsonToken.VALUE_NUMBER_FLOAT) {
                        continue;
                    }
                    int start = (int) p.currentTokenLocation().getCharOffset();
                    String number = p.getText();
                    numbers.add(number);
                    double v = Double.parseDouble(number);
                    String digits = number.replaceFirst("[eE].*", "")
                            .replaceAll("[-.]", "")
                            .replaceFirst("^0+", "");
                    String form = ((double) (float) v == v ? "f32" : "f64") + (digits.length() > 9 ? "L" : "S");
                    out.append(line, at, start).append('<').append(form).append('>');
                    at = start + number.length();
                }
            }
            out.append(line.substring(at)).append('\n');
        }
        return out.toString();
    }
}
