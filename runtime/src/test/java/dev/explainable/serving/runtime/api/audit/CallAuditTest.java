package dev.explainable.serving.runtime.api.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The audit line's values: one token each, and a request id that is a plain word or a new one. */
class CallAuditTest {

    @Test
    void valuesThatCouldBreakTheLineAreQuoted() {
        assertEquals("plain", CallAudit.quoted("plain"));
        assertEquals("\"a b\"", CallAudit.quoted("a b"));
        assertEquals("\"x\\\"y\"", CallAudit.quoted("x\"y"));
        assertEquals("\"line\\u000anext\"", CallAudit.quoted("line\nnext"));
        assertEquals("\"\"", CallAudit.quoted(""));
        assertEquals("trace-1", CallAudit.requestId("trace-1"));
        assertEquals(36, CallAudit.requestId("x".repeat(65)).length());
        assertEquals(36, CallAudit.requestId(null).length());
        assertEquals(36, CallAudit.requestId("a\nb").length());
    }
}
