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
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;

/**
 * HTTP for {@link StatusFetcher}, with the JDK's client (asynchronous, so that no thread waits
 * on a slow responder): no proxy, no redirect, a status of 200 only, and the body cut off at
 * {@code maxBytes} as it arrives, so an endless answer costs no more than that.
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
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NEVER).proxy(HttpClient.Builder.NO_PROXY).executor(executor)
                    .build();
        }
        return client;
    }

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
        return client().sendAsync(request.build(), info -> info.statusCode() == 200 ? new LimitedBody(maxBytes)
                : HttpResponse.BodySubscribers.replacing(null)).thenApply(response -> {
                    if (response.statusCode() != 200 || response.body() == null) {
                        throw new CompletionException(new IOException("HTTP status " + response.statusCode()));
                    }
                    return response.body();
                });
    }

    /** The body as it comes, given up past {@code max} octets. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private Flow.Subscription subscription;

        LimitedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
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

        @Override
        public void onError(Throwable e) {
            body.completeExceptionally(e);
        }

        @Override
        public void onComplete() {
            body.complete(out.toByteArray());
        }
    }
}
