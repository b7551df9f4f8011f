package dev.mlflowknative.camel.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An answer read up to a limit, never buffered beyond it: a Content-Length over the limit is refused before any byte
 * is read, and a longer body (chunked) is abandoned as soon as it passes the limit.
 */
public final class BoundedBody {

    /** What was read: the whole body, or only the fact that it is larger than the limit ({@code bytes} empty). */
    public record Answer(byte[] bytes, boolean overLimit) {
    }

    private BoundedBody() {
    }

    public static HttpResponse.BodyHandler<Answer> handler(long limit) {
        return info -> new Collector(limit, info.headers().firstValueAsLong("Content-Length").orElse(-1) > limit);
    }

    private static final class Collector implements HttpResponse.BodySubscriber<Answer> {

        private final long limit;
        private final boolean announcedOverLimit;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<Answer> answer = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Collector(long limit, boolean announcedOverLimit) {
            this.limit = limit;
            this.announcedOverLimit = announcedOverLimit;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (announcedOverLimit) {
                overLimit();
            } else {
                subscription.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + (long) buffer.remaining() > limit) {
                    overLimit();
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.writeBytes(chunk);
            }
            subscription.request(1);
        }

        /** Stops reading: cancelling closes the connection instead of draining it. */
        private void overLimit() {
            subscription.cancel();
            answer.complete(new Answer(new byte[0], true));
        }

        @Override
        public void onError(Throwable error) {
            answer.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            answer.complete(new Answer(bytes.toByteArray(), false));
        }

        @Override
        public CompletionStage<Answer> getBody() {
            return answer;
        }
    }
}
