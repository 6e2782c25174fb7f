package net.natgw.ike.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP under the status fetcher, against a server on loopback: an OCSP POST (RFC 6960
 * §A.1) and a CRL GET answered, an endless body cut off at the limit, a silent server given
 * up at the timeout, and anything but 200 refused.
 */
class HttpFetchTest {
    private ServerSocket server;
    private Thread thread;

    /** The last request's head and body, as the server read them. */
    private volatile String head;

    private volatile byte[] body;

    /** Answers each connection with {@code response}, or holds it open without a word if null. */
    private URI serve(byte[] response) throws IOException {
        server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        thread = new Thread(
                () -> {
                    while (!server.isClosed()) {
                        try (Socket s = server.accept()) {
                            s.setSoTimeout(5_000);
                            InputStream in = s.getInputStream();
                            head = readHead(in);
                            body = in.readNBytes(contentLength(head));
                            if (response != null) {
                                OutputStream out = s.getOutputStream();
                                out.write(response);
                                out.flush();
                            } else {
                                // Silent: hold the connection until the client gives up.
                                in.read();
                            }
                        } catch (IOException closed) {
                            return;
                        }
                    }
                },
                "http-fetch-test");
        thread.setDaemon(true);
        thread.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/status");
    }

    /** Set when the trickling server's write failed: natgw closed the connection. */
    private final java.util.concurrent.CountDownLatch cutOff = new java.util.concurrent.CountDownLatch(1);

    /** Headers promising 100,000 octets, then one octet every 50 ms, until the client hangs up. */
    private URI trickle() throws IOException {
        server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        thread = new Thread(
                () -> {
                    try (Socket s = server.accept()) {
                        s.setSoTimeout(5_000);
                        head = readHead(s.getInputStream());
                        OutputStream out = s.getOutputStream();
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
                                .getBytes(StandardCharsets.ISO_8859_1));
                        for (int i = 0; i < 400; i++) {
                            out.write(0x30);
                            out.flush();
                            Thread.sleep(50);
                        }
                    } catch (IOException closed) {
                        cutOff.countDown();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "http-fetch-trickle");
        thread.setDaemon(true);
        thread.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/crl");
    }

    // Headers in time and then a body that never ends: the exchange is cancelled at the timeout,
    // and the connection with it (the server's writes start failing), not held open
    @Test
    void aTricklingAnswerIsCutOffAtTheTimeoutWithItsConnection() throws Exception {
        URI uri = trickle();
        var e = assertThrows(
                ExecutionException.class,
                () -> new HttpFetch(Duration.ofMillis(500), 1 << 20)
                        .fetch(uri, Optional.empty())
                        .get(10, TimeUnit.SECONDS));
        assertTrue(
                e.getCause() instanceof java.util.concurrent.CancellationException
                        || e.getCause() instanceof java.util.concurrent.TimeoutException,
                String.valueOf(e.getCause()));
        assertTrue(cutOff.await(10, TimeUnit.SECONDS), "the connection was closed, so the server's writes failed");
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
            thread.join(5_000);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        for (int i = 0; i < 16_384; i++) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                return text;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    private static byte[] ok(byte[] body) {
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    @Test
    void anOcspRequestIsPostedAndItsAnswerRead() throws Exception {
        byte[] request = {0x30, 3, 1, 2, 3};
        byte[] answer = {0x30, 1, 0};
        URI uri = serve(ok(answer));
        var fetch = new HttpFetch(Duration.ofSeconds(5), 1024);
        assertArrayEquals(answer, fetch.fetch(uri, Optional.of(request)).get(10, TimeUnit.SECONDS));
        assertTrue(head.startsWith("POST /status "), head);
        assertTrue(head.toLowerCase(Locale.ROOT).contains("content-type: application/ocsp-request"), head);
        assertArrayEquals(request, body);
    }

    @Test
    void aCrlIsFetchedWithAGet() throws Exception {
        URI uri = serve(ok("crl".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(
                "crl".getBytes(StandardCharsets.US_ASCII),
                new HttpFetch(Duration.ofSeconds(5), 1024)
                        .fetch(uri, Optional.empty())
                        .get(10, TimeUnit.SECONDS));
        assertTrue(head.startsWith("GET /status "), head);
    }

    @Test
    void aBodyOverTheLimitIsGivenUp() throws Exception {
        URI uri = serve(ok(new byte[64 * 1024]));
        var e = assertThrows(
                ExecutionException.class,
                () -> new HttpFetch(Duration.ofSeconds(5), 1024)
                        .fetch(uri, Optional.empty())
                        .get(10, TimeUnit.SECONDS));
        assertTrue(
                e.getCause().getMessage().contains("more than 1024 octets"),
                e.getCause().getMessage());
    }

    @Test
    void anythingButOkIsRefused() throws Exception {
        URI uri = serve("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        var e = assertThrows(
                ExecutionException.class,
                () -> new HttpFetch(Duration.ofSeconds(5), 1024)
                        .fetch(uri, Optional.empty())
                        .get(10, TimeUnit.SECONDS));
        assertTrue(
                e.getCause().getMessage().contains("HTTP status 404"),
                e.getCause().getMessage());
    }

    // The fetcher's own bound: a responder that never answers costs the timeout, then the status is unknown
    @Test
    void aSilentResponderIsGivenUpAtTheTimeout() throws Exception {
        URI uri = serve(null);
        var options = new StatusFetcher.Options(true, true, Duration.ofMillis(300), 1024, 4, 16);
        var fetcher = new StatusFetcher(
                new HttpFetch(options.timeout(), options.maxBytes()),
                options,
                java.time.Clock.systemUTC(),
                new java.security.SecureRandom());
        var pki = net.natgw.ike.testing.TestPki.create("natgw lab CA", "ec");
        var peer = pki.issuePublishingStatus("peer.lab.natgw.net", "ec", uri.toString(), null);
        var status = fetcher.ocsp(peer.certificate(), pki.caCertificate())
                .orElseThrow()
                .get(10, TimeUnit.SECONDS);
        var unknown = assertInstanceOf(status);
        assertTrue(unknown.why().contains("no answer in time"), unknown.why());
    }

    private static RevocationStatus.Unknown assertInstanceOf(RevocationStatus status) {
        assertTrue(status instanceof RevocationStatus.Unknown, String.valueOf(status));
        return (RevocationStatus.Unknown) status;
    }
}
