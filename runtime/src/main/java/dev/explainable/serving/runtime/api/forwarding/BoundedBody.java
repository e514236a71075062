package dev.explainable.serving.runtime.api.forwarding;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects an answer's bytes up to a bound: past it, stops reading (which closes the connection) and fails the
 * answer with {@link AnswerTooLargeException}, so an answer of any size costs at most the bound.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {

    /** The answer crossed the bound. */
    static final class AnswerTooLargeException extends IOException {
        AnswerTooLargeException(long max) {
            super("answer larger than " + max + " bytes");
        }
    }

    private final HttpResponse.BodySubscriber<byte[]> bytes = HttpResponse.BodySubscribers.ofByteArray();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final long max;
    private long seen;
    private Flow.Subscription subscription;

    BoundedBody(long max) {
        this.max = max;
        bytes.getBody().whenComplete((b, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(b);
            }
        });
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        bytes.onSubscribe(s);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer b : item) {
            seen += b.remaining();
        }
        if (seen > max) {
            subscription.cancel();
            result.completeExceptionally(new AnswerTooLargeException(max));
            return;
        }
        bytes.onNext(item);
    }

    @Override
    public void onError(Throwable t) {
        bytes.onError(t);
    }

    @Override
    public void onComplete() {
        bytes.onComplete();
    }
}
