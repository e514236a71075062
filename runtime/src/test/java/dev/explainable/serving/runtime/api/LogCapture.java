package dev.explainable.serving.runtime.api;

import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** A handler on one logger category that hands each record to the test, on the thread that logged it (its MDC). */
final class LogCapture extends Handler {

    private final String category;
    private final Consumer<LogRecord> sink;

    private LogCapture(String category, Consumer<LogRecord> sink) {
        this.category = category;
        this.sink = sink;
    }

    /** Attached to {@code category} until {@link #close()}. */
    static LogCapture on(String category, Consumer<LogRecord> sink) {
        LogCapture c = new LogCapture(category, sink);
        Logger.getLogger(category).addHandler(c);
        return c;
    }

    @Override
    public void publish(LogRecord r) {
        sink.accept(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        Logger.getLogger(category).removeHandler(this);
    }
}
