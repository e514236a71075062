package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.logging.LogRecord;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.api.audit.CallAudit;

/**
 * The audit trail on the real runtime (callers unchecked, so no caller is named): one line per API call, written
 * when its answer has gone, refusals included; the request id echoed; nothing of the instances in it; none for the
 * page's own files.
 */
@QuarkusTest
class AuditTrailTest {

    static final String EXPLAIN = "/v1/projects/p/models/iris/versions/v1:explain";

    /** The audit lines (category dev.explainable.serving.audit) with their MDC, while this class runs. */
    static final List<LogRecord> LINES = Collections.synchronizedList(new ArrayList<>());

    static final Map<String, Object> MDC_AT_LOG = Collections.synchronizedMap(new java.util.HashMap<>());

    static LogCapture capture;

    @BeforeAll
    static void capture() {
        capture = LogCapture.on(CallAudit.CATEGORY, r -> {
            LINES.add(r);
            MDC_AT_LOG.put(r.getMessage(), org.jboss.logging.MDC.getMap());
        });
    }

    @AfterAll
    static void release() {
        capture.close();
    }

    @BeforeEach
    void ready() {
        ReadyModel.await();
        LINES.clear();
    }

    static List<String> lines() {
        synchronized (LINES) {
            return LINES.stream().map(LogRecord::getMessage).toList();
        }
    }

    static String awaitLineWith(String requestId) {
        Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> lines().stream().anyMatch(l -> l.contains("request_id=" + requestId)));
        List<String> found = lines().stream()
                .filter(l -> l.contains("request_id=" + requestId))
                .toList();
        assertEquals(1, found.size(), "one line per call: " + found);
        return found.get(0);
    }

    @Test
    void anExplanationIsOneLineWithItsModelVerbMethodInstancesStatusAndRequestId() {
        String body =
                "{\"instances\": " + TestModels.expected("tabular_classifier").get("instances") + "}";
        given().header(CallAudit.REQUEST_ID, "trace-42.a")
                .contentType(ContentType.JSON)
                .body(body)
                .post(EXPLAIN)
                .then()
                .statusCode(200)
                .header(CallAudit.REQUEST_ID, equalTo("trace-42.a"));
        String line = awaitLineWith("trace-42.a");
        assertTrue(line.startsWith("call caller=- caller_uid=- model=iris version=v1 verb=explain method="), line);
        int instances =
                TestModels.expected("tabular_classifier").get("instances").size();
        assertTrue(line.contains(" instances=" + instances + " status=200 latency_ms="), line);
        assertTrue(line.contains(" client=127.0.0.1"), line);
        // nothing of the instances: the line is exactly these fields, one token each (a value holding an instance's
        // number, as latency_ms may, is not instance data)
        List<String> keys = java.util.Arrays.stream(
                        line.substring("call ".length()).split(" "))
                .map(token -> token.substring(0, token.indexOf('=')))
                .toList();
        assertEquals(
                List.of(
                        "caller",
                        "caller_uid",
                        "model",
                        "version",
                        "verb",
                        "method",
                        "instances",
                        "status",
                        "latency_ms",
                        "request_id",
                        "client"),
                keys,
                line);
        assertFalse(line.contains("["), line);
        // the fields are the record's MDC too, for a JSON log format
        @SuppressWarnings("unchecked")
        Map<String, Object> mdc = (Map<String, Object>) MDC_AT_LOG.get(line);
        assertEquals("explain", mdc.get("audit.verb"));
        assertEquals("200", mdc.get("audit.status"));
        assertEquals("trace-42.a", mdc.get("audit.request_id"));
    }

    @Test
    void refusalsArePartOfTheTrailAndACallersOddRequestIdIsReplaced() {
        given().header(CallAudit.REQUEST_ID, "bad id with spaces\"and quotes")
                .contentType(ContentType.JSON)
                .body("{\"instances\": 7}")
                .post(EXPLAIN)
                .then()
                .statusCode(400);
        Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> lines().stream().anyMatch(l -> l.contains("status=400")));
        String line = lines().stream()
                .filter(l -> l.contains("status=400"))
                .findFirst()
                .orElseThrow();
        assertTrue(line.contains(" verb=explain "), line);
        assertTrue(line.contains(" instances=- "), "the body was never read into instances: " + line);
        assertFalse(line.contains("spaces"), line);
        assertTrue(line.matches(".* request_id=[0-9a-f-]{36} .*"), line);
        // a model GET and a :predict
        given().header(CallAudit.REQUEST_ID, "get-1")
                .get("/runtime/model")
                .then()
                .statusCode(200);
        assertTrue(awaitLineWith("get-1").contains(" verb=get method=- instances=- status=200 "));
        // the page's own files are not calls
        given().header(CallAudit.REQUEST_ID, "page-1").get("/").then().statusCode(200);
        given().header(CallAudit.REQUEST_ID, "get-2")
                .get("/runtime/model")
                .then()
                .statusCode(200);
        awaitLineWith("get-2");
        assertTrue(lines().stream().noneMatch(l -> l.contains("page-1")), lines().toString());
    }
}
