package dev.explainable.serving.runtime.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The pure parts of the caller check: the header, the access a route needs, the cache's keys, expiry and bound. */
class CallerAuthPartsTest {

    @Test
    void readsABearerTokenAndNothingElse() {
        assertEquals(
                "abc.def-_~+/==", BearerToken.parse("Bearer abc.def-_~+/==").token());
        assertEquals("abc", BearerToken.parse("bearer abc").token());
        for (String bad : new String[] {
            null,
            "",
            "Bearer",
            "Bearer ",
            "Bearer  abc",
            "Basic abc",
            "Bearer a b",
            "Bearer é",
            "Bearer\tabc",
            "Bearer =abc",
            "Bearer abc\n",
            "Token abc"
        }) {
            BearerToken.Parsed p = BearerToken.parse(bad);
            assertFalse(p.present(), String.valueOf(bad));
            if (bad != null && bad.length() > 7) {
                assertFalse(p.problem().contains(bad.substring(7)), "the problem echoes the header: " + bad);
            }
        }
        String longest = "Bearer " + "a".repeat(BearerToken.MAX_HEADER_CHARS - 7);
        assertTrue(BearerToken.parse(longest).present());
        assertFalse(BearerToken.parse(longest + "a").present());
    }

    @Test
    void cacheKeysAreHashesNotTokens() {
        String key = BearerToken.key("secret-token");
        assertEquals(64, key.length());
        assertFalse(key.contains("secret"));
        assertEquals(key, BearerToken.key("secret-token"));
        assertFalse(key.equals(BearerToken.key("secret-tokem")));
    }

    @Test
    void routesNeedTheirVerb() {
        String aip = "/v1/projects/p/models/iris";
        String vertex = "/v1/projects/p/locations/l/endpoints/iris";
        assertEquals(ModelAccess.EXPLAIN, ModelAccess.of("POST", aip + ":explain"));
        assertEquals(ModelAccess.PREDICT, ModelAccess.of("POST", aip + ":predict"));
        assertEquals(ModelAccess.EXPLAIN, ModelAccess.of("POST", aip + "/versions/v2:explain"));
        assertEquals(ModelAccess.PREDICT, ModelAccess.of("POST", vertex + ":predict"));
        assertEquals(ModelAccess.EXPLAIN, ModelAccess.of("POST", vertex + ":explain"));
        // as the REST layer reads them: escapes decoded, matrix parameters dropped
        assertEquals(ModelAccess.PREDICT, ModelAccess.of("POST", aip + "%3Apredict"));
        assertEquals(ModelAccess.PREDICT, ModelAccess.of("POST", aip + ":predict;x=1"));
        assertEquals(ModelAccess.EXPLAIN, ModelAccess.of("POST", aip + "%3Aexplain"));
        // any other POST: the stronger grant
        assertEquals(ModelAccess.EXPLAIN, ModelAccess.of("POST", aip + ":frobnicate"));
        assertEquals(ModelAccess.EXPLAIN, ModelAccess.of("POST", aip + "%zz"));
        assertEquals(ModelAccess.GET, ModelAccess.of("GET", "/runtime/model"));
        assertEquals(ModelAccess.GET, ModelAccess.of("GET", aip));
        assertEquals(ModelAccess.GET, ModelAccess.of("GET", vertex));
        assertEquals(ModelAccess.GET, ModelAccess.of("GET", "/q/openapi"));
        assertEquals(ModelAccess.GET, ModelAccess.of("DELETE", "/"));
        assertEquals("explainablemodels/explain", ModelAccess.EXPLAIN.rbacResource());
        assertEquals("explainablemodels", ModelAccess.GET.rbacResource());
        // the page's static files only
        for (String open : new String[] {"/", "/index.html", "/page.js", "/page.css", "/sample.png", "/page/api.js"}) {
            assertNull(ModelAccess.of("GET", open), open);
        }
        for (String closed :
                new String[] {"/page/../runtime/model", "/page/x/y.js", "/page/a%2F.js", "/index.html;x"}) {
            assertEquals(ModelAccess.GET, ModelAccess.of("GET", closed), closed);
        }
    }

    @Test
    void entriesExpireAndTheCacheStaysBounded() {
        AtomicLong now = new AtomicLong();
        ExpiringCache<Boolean> cache = new ExpiringCache<>(3, now::get);
        cache.put("a", true, 100);
        cache.put("b", false, 10);
        assertEquals(true, cache.get("a"));
        now.set(10);
        assertNull(cache.get("b"), "expired at its ttl");
        assertEquals(true, cache.get("a"));
        for (int i = 0; i < 100; i++) {
            cache.put("k" + i, true, 1_000);
            assertTrue(cache.size() <= 3);
        }
        now.set(100);
        assertNull(cache.get("a"));
        cache.put("zero", true, 0);
        assertNull(cache.get("zero"), "a ttl of 0 caches nothing");
    }

    @Test
    void theNamespaceDefaultsToThePodsOwn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("namespace");
        assertTrue(CallerAuth.podNamespace(file).isEmpty(), "no file: unknown, and kubernetes mode does not start");
        java.nio.file.Files.writeString(file, "team-a\n");
        assertEquals("team-a", CallerAuth.podNamespace(file).orElseThrow());
        java.nio.file.Files.writeString(file, "  ");
        assertTrue(CallerAuth.podNamespace(file).isEmpty());
    }
}
