package net.natgw.ike.auth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * HTTP for {@link StatusFetcher}, with the JDK's client (asynchronous, so that no thread waits
 * on a slow responder): no proxy, no redirect, a status of 200 only, the body cut off at
 * {@code maxBytes} as it arrives, and the whole exchange cancelled at {@code timeout}.
 */
final class HttpFetch implements StatusFetcher.Http {
    private final Duration timeout;
    private final int maxBytes;
    /** Built on the first fetch: a daemon whose peers name no URI never starts its threads. */
    private HttpClient client;

    HttpFetch(Duration timeout, int maxBytes) {
        this.timeout = timeout;
        this.maxBytes = maxBytes;
    }

    private synchronized HttpClient client() {
        if (client == null) {
            ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
                var t = new Thread(r, "natgw-fetch");
                t.setDaemon(true);
                return t;
            });
            client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .executor(executor)
                    .build();
        }
        return client;
    }

    /**
     * The whole exchange, from connecting to the last octet, is bounded by {@code timeout}: when
     * it passes, the request is cancelled (which aborts the exchange) and the body's subscription
     * too, so a responder that trickles an endless answer holds no socket or buffer past it.
     */
    @Override
    public CompletableFuture<byte[]> fetch(URI uri, Optional<byte[]> ocspRequest) {
        var request = HttpRequest.newBuilder(uri).timeout(timeout);
        if (ocspRequest.isPresent()) {
            // RFC 6960 §A.1: the DER request as the body of a POST.
            request.header("Content-Type", "application/ocsp-request")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(ocspRequest.get()));
        } else {
            request.GET();
        }
        var body = new AtomicReference<LimitedBody>();
        CompletableFuture<HttpResponse<byte[]>> exchange = client().sendAsync(request.build(), info -> {
            // Anything but 200 is refused at once, its body not read.
            var b = new LimitedBody(info.statusCode() == 200 ? maxBytes : -1, info.statusCode());
            body.set(b);
            return b;
        });
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> {
                    if (!exchange.isDone()) {
                        exchange.cancel(true);
                        var b = body.get();
                        if (b != null) {
                            b.abort();
                        }
                    }
                });
        return exchange.thenApply(HttpResponse::body);
    }

    /** The body as it comes, given up past {@code max} octets; a max below 0 refuses it unread. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final int status;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;

        LimitedBody(int max, int status) {
            this.max = max;
            this.status = status;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (max < 0) {
                s.cancel();
                body.completeExceptionally(new IOException("HTTP status " + status));
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public synchronized void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                if (body.isDone()) {
                    return;
                }
                if ((long) out.size() + b.remaining() > max) {
                    subscription.cancel();
                    body.completeExceptionally(new IOException("an answer of more than " + max + " octets"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.writeBytes(chunk);
            }
        }

        /** The fetch's time is up: stop reading. */
        void abort() {
            var s = subscription;
            if (s != null) {
                s.cancel();
            }
            body.completeExceptionally(new java.util.concurrent.TimeoutException("no whole answer in time"));
        }

        @Override
        public void onError(Throwable e) {
            body.completeExceptionally(e);
        }

        @Override
        public synchronized void onComplete() {
            body.complete(out.toByteArray());
        }
    }
}
