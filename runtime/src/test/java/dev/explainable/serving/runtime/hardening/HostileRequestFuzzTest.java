package dev.explainable.serving.runtime.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.explainable.serving.runtime.testing.Management;

/**
 * 5,000 generated hostile requests against the tabular model (float inputs from JSON lists); its sibling sends
 * 5,000 more to a model that decodes JPEG bytes inside its graph. Every answer is below 500 and, when a refusal,
 * exactly {@code {"error": "..."}}; the process stays up and its heap bounded.
 */
@QuarkusTest
class HostileRequestFuzzTest {

    static final int REQUESTS = Integer.getInteger("fuzz.requests", 5_000);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL base;

    @Test
    void hostileRequestsToATabularModel() throws Exception {
        fuzz(base.getPort(), "iris", REQUESTS);
    }

    static void fuzz(int port, String model, int count) throws Exception {
        awaitReady();
        long heapBefore = usedHeapAfterGc();
        Map<Integer, Integer> statuses = new TreeMap<>();
        int[] sent = {0};
        long[] waited = {0};
        long start = System.nanoTime();
        HostileRequests.requests(model).sampleStream().limit(count).forEach(r -> {
            sent[0]++;
            try {
                long t = System.nanoTime();
                RawHttp.Response response = RawHttp.send(port, r.wire(), 30_000);
                waited[0] += System.nanoTime() - t;
                if (response == null) {
                    fail("no answer to " + r.description());
                }
                statuses.merge(response.status(), 1, Integer::sum);
                if (response.status() >= 500) {
                    fail(response.status() + " for " + r.description() + "\n" + response.body());
                }
                if (response.status() >= 400 && !r.description().startsWith("HEAD")) {
                    JsonNode body = JSON.readTree(response.body());
                    if (!body.isObject()
                            || body.size() != 1
                            || !body.path("error").isTextual()) {
                        fail("not {\"error\"}: " + response.status() + " " + response.body() + " for "
                                + r.description());
                    }
                    String error = body.get("error").asText();
                    for (String internal : new String[] {
                        "Exception", "StatefulPartitionedCall", "{{node", "\tat ", "org.tensorflow", "java."
                    }) {
                        assertTrue(!error.contains(internal), "internals in " + error + " for " + r.description());
                    }
                }
            } catch (java.io.IOException e) {
                fail(e.getMessage() + " for " + r.description());
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(count, sent[0]);
        awaitReady();
        long heapAfter = usedHeapAfterGc();
        System.out.printf(
                "fuzz %s: %d requests in %.1f s (%.1f s waiting for answers), statuses %s, heap after GC "
                        + "%d -> %d MB, RSS %d MB%n",
                model, count, seconds, waited[0] / 1e9, statuses, heapBefore >> 20, heapAfter >> 20, rssBytes() >> 20);
        assertTrue(statuses.keySet().stream().anyMatch(s -> s == 200), "some requests were valid: " + statuses);
        assertTrue(statuses.getOrDefault(400, 0) > count / 4, "most were refused as bad requests: " + statuses);
        assertTrue(heapAfter - heapBefore < 256L << 20, "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MB");
    }

    /** Waits for the readiness probe, on the management port (the API port's own is not asked). */
    static void awaitReady() throws Exception {
        long until = System.currentTimeMillis() + 120_000;
        while (true) {
            RawHttp.Response r =
                    RawHttp.send(Management.port(), RawHttp.request("GET", "/q/health/ready", null, null), 10_000);
            if (r != null && r.status() == 200) {
                return;
            }
            assertTrue(System.currentTimeMillis() < until, "not ready: " + (r == null ? "no answer" : r.body()));
            Thread.sleep(200);
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }
}
