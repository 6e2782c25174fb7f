package net.natgw.ike.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import net.natgw.ike.message.Untrusted;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.jcajce.JcaCertificateID;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocation status from the network, as strongSwan's revocation plugin gets it: an OCSP
 * responder named in the certificate's authority information access (RFC 6960, a POST with a
 * nonce, §4.1 and RFC 8954), then a CRL from its distribution point (RFC 5280 §4.2.1.13).
 *
 * <p>Never on the engine's thread: a fetch runs on its own, bounded by a timeout, a size limit
 * and a number in flight, and the message that needs it is taken again when it is done
 * ({@link StatusPending}). Answers are cached until their nextUpdate (at most a day), failures
 * for {@link #FAILURE_REUSE} so that a peer retrying does not make natgw hammer a responder;
 * the cache holds at most {@link Options#maxEntries()} of each kind. Only holders of a
 * certificate that chains to a trusted CA, with a valid AUTH signature, make natgw fetch
 * (see {@link Revocation}), and only from URIs that CA signed.
 */
public final class StatusFetcher {
    private static final Logger log = LoggerFactory.getLogger(StatusFetcher.class);

    /** How long a failed fetch stands before the next authentication may try again. */
    static final Duration FAILURE_REUSE = Duration.ofSeconds(30);
    /** How long a good OCSP answer without nextUpdate is reused (RFC 6960 §4.2.2.1 leaves it open). */
    static final Duration GOOD_WITHOUT_NEXT_UPDATE = Duration.ofMinutes(5);
    /** No answer is reused longer than this, whatever its nextUpdate says. */
    static final Duration MAX_REUSE = Duration.ofDays(1);
    /** Fetched CRLs held at once: each may be {@link Options#maxBytes()}, and more once parsed. */
    static final int MAX_CRLS = 16;

    /** Getting bytes from a URI: HTTP in practice ({@link HttpFetch}); a POST body for OCSP. */
    public interface Http {
        CompletableFuture<byte[]> fetch(URI uri, Optional<byte[]> ocspRequest);
    }

    /**
     * @param ocsp        strongSwan's {@code revocation.enable_ocsp}
     * @param crl         strongSwan's {@code revocation.enable_crl}
     * @param timeout     for one fetch, from connecting to the last octet
     * @param maxBytes    the largest answer taken: 1 MiB by default, since up to {@link #MAX_CRLS}
     *                    CRLs are held in a daemon with a small heap (a bigger one: OCSP, or
     *                    the CRL in {@code x509crl/})
     * @param maxInFlight fetches at once; beyond it a status is unknown at once
     * @param maxEntries  cached OCSP answers (CRLs: at most {@link #MAX_CRLS})
     */
    public record Options(boolean ocsp, boolean crl, Duration timeout, int maxBytes, int maxInFlight, int maxEntries) {
        public static final Options DEFAULT = new Options(true, true, Duration.ofSeconds(10), 1 << 20, 16, 1024);

        public boolean enabled() {
            return ocsp || crl;
        }
    }

    /** Fetches nothing: only the CRLs natgw holds count. */
    public static final StatusFetcher OFFLINE = new StatusFetcher(
            (uri, body) -> CompletableFuture.failedFuture(new IOException("fetching is off")),
            new Options(false, false, Duration.ofSeconds(1), 0, 0, 0),
            Clock.systemUTC(),
            new SecureRandom());

    private final Http http;
    private final Options options;
    private final Clock clock;
    private final SecureRandom random;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, CompletableFuture<RevocationStatus>> ocspAnswers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<CrlAnswer>> crlAnswers = new ConcurrentHashMap<>();

    public StatusFetcher(Http http, Options options, Clock clock, SecureRandom random) {
        this.http = http;
        this.options = options;
        this.clock = clock;
        this.random = random;
    }

    /** Over HTTP with the JDK's client, as the daemon fetches. */
    public static StatusFetcher overHttp(Options options) {
        return new StatusFetcher(
                new HttpFetch(options.timeout(), options.maxBytes()), options, Clock.systemUTC(), new SecureRandom());
    }

    public Options options() {
        return options;
    }

    /** How many answers are cached, of both kinds (for tests of the bound). */
    int cachedAnswers() {
        return ocspAnswers.size() + crlAnswers.size();
    }

    /** A CRL that was fetched, verified against its issuer, or why there is none. */
    private record CrlAnswer(X509CRL crl, String failure, Instant reuseUntil) {}

    /** The OCSP status of {@code cert}, if OCSP is on and the certificate names a responder. */
    Optional<CompletableFuture<RevocationStatus>> ocsp(X509Certificate cert, X509Certificate issuer) {
        if (!options.ocsp()) {
            return Optional.empty();
        }
        return ocspUris(cert).stream().findFirst().map(uri -> {
            CertificateID id;
            try {
                id = new JcaCertificateID(
                        new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                        issuer,
                        cert.getSerialNumber());
            } catch (Exception e) {
                return CompletableFuture.completedFuture(unknown("no OCSP request: " + e.getMessage()));
            }
            String key = uri + " " + Arrays.toString(id.getIssuerKeyHash()) + " " + id.getSerialNumber();
            return cached(
                    ocspAnswers,
                    options.maxEntries(),
                    key,
                    RevocationStatus::reuseUntil,
                    () -> askOcsp(uri, id, cert, issuer),
                    () -> unknown("more than " + options.maxInFlight() + " fetches in flight"));
        });
    }

    /** The status of {@code cert} on the CRL of its distribution point, if CRLs are on and it names one. */
    Optional<CompletableFuture<RevocationStatus>> crl(X509Certificate cert, X509Certificate issuer) {
        if (!options.crl()) {
            return Optional.empty();
        }
        return crlUris(cert).stream().findFirst().map(uri -> {
            // The CRL is verified for this issuer: the key names the issuer whole, not by a hash
            // two issuers could share.
            String key = uri + " " + HexFormat.of().formatHex(sha256(issuer));
            String source = "the CRL from " + Untrusted.escape(uri.toString());
            return cached(
                            crlAnswers,
                            Math.min(MAX_CRLS, options.maxEntries()),
                            key,
                            CrlAnswer::reuseUntil,
                            () -> fetchCrl(uri, issuer),
                            () -> new CrlAnswer(
                                    null, "more than " + options.maxInFlight() + " fetches in flight", now()))
                    .thenApply(answer -> onCrl(answer, cert, source));
        });
    }

    /**
     * The answer cached for {@code key} while it is reusable, or a new fetch. A full cache first
     * drops what expired, then any finished answer: a fetch in flight is never dropped.
     */
    private <T> CompletableFuture<T> cached(
            Map<String, CompletableFuture<T>> cache,
            int maxEntries,
            String key,
            Function<T, Instant> reuseUntil,
            Supplier<CompletableFuture<T>> fetch,
            Supplier<T> busy) {
        Instant now = now();
        var current = cache.get(key);
        if (current != null && (!current.isDone() || reusable(current, reuseUntil, now))) {
            return current;
        }
        if (inFlight.get() >= options.maxInFlight()) {
            return CompletableFuture.completedFuture(busy.get());
        }
        if (cache.size() >= maxEntries) {
            cache.values().removeIf(f -> f.isDone() && !reusable(f, reuseUntil, now));
            var it = cache.values().iterator();
            while (cache.size() >= maxEntries && it.hasNext()) {
                if (it.next().isDone()) {
                    it.remove();
                }
            }
        }
        inFlight.incrementAndGet();
        var started = fetch.get();
        started.whenComplete((v, e) -> inFlight.decrementAndGet());
        cache.put(key, started);
        return started;
    }

    /** Done with an answer still good at {@code now}; one that ended in an exception never is. */
    private static <T> boolean reusable(CompletableFuture<T> f, Function<T, Instant> reuseUntil, Instant now) {
        return f.isDone()
                && !f.isCompletedExceptionally()
                && reuseUntil.apply(f.join()).isAfter(now);
    }

    private static byte[] sha256(X509Certificate cert) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private CompletableFuture<RevocationStatus> askOcsp(
            URI uri, CertificateID id, X509Certificate cert, X509Certificate issuer) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        Extension nonceExtension;
        byte[] request;
        try {
            nonceExtension = new Extension(
                    OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                    false,
                    new org.bouncycastle.asn1.DEROctetString(nonce).getEncoded());
            request = new OCSPReqBuilder()
                    .addRequest(id)
                    .setRequestExtensions(new Extensions(nonceExtension))
                    .build()
                    .getEncoded();
        } catch (Exception e) {
            return CompletableFuture.completedFuture(unknown("no OCSP request: " + e.getMessage()));
        }
        String source = "OCSP responder " + Untrusted.escape(uri.toString());
        log.info("fetching the OCSP status of '{}' from {}", subject(cert), Untrusted.escape(uri.toString()));
        return fetch(uri, Optional.of(request))
                .handle((bytes, e) -> {
                    RevocationStatus status = e != null
                            ? unknown(source + ": " + reason(e))
                            : OcspAnswer.read(bytes, id, nonceExtension, issuer, now(), source);
                    log.info("OCSP status of '{}': {}", subject(cert), status);
                    return status;
                })
                .exceptionally(e -> unknown(source + ": " + reason(e)));
    }

    private CompletableFuture<CrlAnswer> fetchCrl(URI uri, X509Certificate issuer) {
        String source = "the CRL from " + Untrusted.escape(uri.toString());
        log.info("fetching {} for '{}'", source, subject(issuer));
        return fetch(uri, Optional.empty())
                .handle((bytes, e) -> {
                    CrlAnswer answer;
                    if (e != null) {
                        answer = new CrlAnswer(null, source + ": " + reason(e), now().plus(FAILURE_REUSE));
                    } else {
                        answer = parseCrl(bytes, issuer, source);
                    }
                    log.info(
                            "{}: {}",
                            source,
                            answer.crl() != null ? "valid until " + answer.reuseUntil() : answer.failure());
                    return answer;
                })
                .exceptionally(e -> new CrlAnswer(null, source + ": " + reason(e), now().plus(FAILURE_REUSE)));
    }

    private CrlAnswer parseCrl(byte[] bytes, X509Certificate issuer, String source) {
        Instant now = now();
        try {
            var crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(bytes));
            String unusable = Revocation.unusable(crl, issuer);
            if (unusable != null) {
                return new CrlAnswer(null, source + ": " + unusable, now.plus(FAILURE_REUSE));
            }
            Date next = crl.getNextUpdate();
            Instant until = next == null ? now.plus(GOOD_WITHOUT_NEXT_UPDATE) : next.toInstant();
            return new CrlAnswer(
                    crl, null, min(until.isAfter(now) ? until : now.plus(FAILURE_REUSE), now.plus(MAX_REUSE)));
        } catch (Exception | LinkageError malformed) {
            return new CrlAnswer(
                    null, source + ": not a CRL (" + malformed.getMessage() + ")", now.plus(FAILURE_REUSE));
        }
    }

    private RevocationStatus onCrl(CrlAnswer answer, X509Certificate cert, String source) {
        if (answer.crl() == null) {
            return new RevocationStatus.Unknown(answer.failure(), answer.reuseUntil());
        }
        X509CRLEntry entry = answer.crl().getRevokedCertificate(cert);
        Instant now = now();
        if (entry != null) {
            return new RevocationStatus.Revoked(
                    source,
                    entry.getRevocationDate().toInstant(),
                    entry.getRevocationReason() == null
                            ? ""
                            : entry.getRevocationReason().toString(),
                    now.plus(MAX_REUSE));
        }
        Date next = answer.crl().getNextUpdate();
        if (next != null && !next.toInstant().isAfter(now)) {
            return new RevocationStatus.Unknown(source + " is past its nextUpdate", answer.reuseUntil());
        }
        return new RevocationStatus.Good(source, answer.reuseUntil());
    }

    private CompletableFuture<byte[]> fetch(URI uri, Optional<byte[]> body) {
        CompletableFuture<byte[]> sent;
        try {
            sent = http.fetch(uri, body);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        // HttpFetch cancels its exchange at the timeout itself; this bounds any other Http too.
        return sent.orTimeout(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private RevocationStatus unknown(String why) {
        return new RevocationStatus.Unknown(why, now().plus(FAILURE_REUSE));
    }

    private Instant now() {
        return clock.instant();
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static String subject(X509Certificate cert) {
        return Untrusted.escape(cert.getSubjectX500Principal().toString());
    }

    private static String reason(Throwable e) {
        Throwable cause =
                e.getCause() != null && e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
        String message = cause.getMessage();
        // The request's own timeout (HttpTimeoutException) and ours (orTimeout) race: both mean the same.
        return cause instanceof java.util.concurrent.TimeoutException
                        || cause instanceof java.net.http.HttpTimeoutException
                        || cause instanceof java.util.concurrent.CancellationException
                ? "no answer in time"
                : Untrusted.escape(cause.getClass().getSimpleName() + (message == null ? "" : ": " + message));
    }

    /** RFC 5280 §4.2.2.1: the id-ad-ocsp URIs of the authority information access, HTTP ones only. */
    static List<URI> ocspUris(X509Certificate cert) {
        var uris = new ArrayList<URI>();
        ocspLocations(cert).forEach(location -> httpUri(location).ifPresent(uris::add));
        return uris;
    }

    /** Every id-ad-ocsp access location of the certificate, of any scheme (not caIssuers). */
    static List<GeneralName> ocspLocations(X509Certificate cert) {
        byte[] aia = cert.getExtensionValue(Extension.authorityInfoAccess.getId());
        var locations = new ArrayList<GeneralName>();
        if (aia != null) {
            try {
                for (AccessDescription d : AuthorityInformationAccess.getInstance(
                                JcaX509ExtensionUtils.parseExtensionValue(aia))
                        .getAccessDescriptions()) {
                    if (d.getAccessMethod().equals(AccessDescription.id_ad_ocsp)) {
                        locations.add(d.getAccessLocation());
                    }
                }
            } catch (IOException | RuntimeException malformed) {
                // Treated as naming none: the CA signed it, but natgw cannot read it.
            }
        }
        return locations;
    }

    /** RFC 5280 §4.2.1.13: the full-name URIs of the CRL distribution points, HTTP ones only. */
    static List<URI> crlUris(X509Certificate cert) {
        byte[] cdp = cert.getExtensionValue(Extension.cRLDistributionPoints.getId());
        var uris = new ArrayList<URI>();
        if (cdp != null) {
            try {
                for (DistributionPoint p : CRLDistPoint.getInstance(JcaX509ExtensionUtils.parseExtensionValue(cdp))
                        .getDistributionPoints()) {
                    DistributionPointName name = p.getDistributionPoint();
                    if (name != null && name.getType() == DistributionPointName.FULL_NAME) {
                        for (GeneralName n :
                                GeneralNames.getInstance(name.getName()).getNames()) {
                            httpUri(n).ifPresent(uris::add);
                        }
                    }
                }
            } catch (IOException | RuntimeException malformed) {
                // As above.
            }
        }
        return uris;
    }

    private static Optional<URI> httpUri(GeneralName name) {
        if (name.getTagNo() != GeneralName.uniformResourceIdentifier) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(ASN1IA5String.getInstance(name.getName()).getString());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            // LDAP distribution points are left to the CRLs natgw holds.
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                    ? Optional.of(uri)
                    : Optional.empty();
        } catch (URISyntaxException | RuntimeException malformed) {
            return Optional.empty();
        }
    }
}
