package net.natgw.gateway.selftest;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import net.natgw.esp.EspSuite;
import net.natgw.esp.KnownAnswers;
import net.natgw.esp.crypto.CryptoProvider;
import net.natgw.esp.crypto.Primitive;
import net.natgw.esp.crypto.ProviderSelection;

/**
 * {@code natgw selftest}: every ESP suite against its known answers with both crypto providers,
 * then a short throughput run of each, printed as one screen.
 */
public final class SelfTest {
    static final int PAYLOAD = 1400;
    private static final int WARM_UP_ROUNDS = 2;

    private final Duration each;
    private final PrintStream out;

    /** @param each how long each throughput figure is measured */
    public SelfTest(Duration each, PrintStream out) {
        this.each = each;
        this.out = out;
    }

    /** @return whether every check passed */
    public boolean run() {
        header();
        warmUp();
        boolean passed = true;
        for (EspSuite suite : EspSuite.ALL) {
            passed &= row(suite);
        }
        out.println();
        out.println("default provider: * = chosen at start-up (" + defaultRule() + ")");
        out.println(
                passed
                        ? "selftest PASSED: " + EspSuite.ALL.size() + " suites, known answers and round trips"
                        : "selftest FAILED: see the rows marked FAIL");
        return passed;
    }

    /**
     * Runs every suite with both providers a few times first: HotSpot compiles the crypto paths
     * (and their CPU intrinsics) only after seconds of use, and figures taken before measure
     * the interpreter. The suites share their code paths, so the rounds warm each other.
     */
    private void warmUp() {
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            for (EspSuite suite : EspSuite.ALL) {
                for (CryptoProvider provider : CryptoProvider.values()) {
                    new Throughput(suite, provider, PAYLOAD).measure(each.dividedBy(4));
                }
            }
        }
    }

    private void header() {
        Runtime rt = Runtime.getRuntime();
        out.printf(
                "natgw %s selftest: ESP engine, Java %s (%s), %d CPUs, %s %s%n",
                version(),
                System.getProperty("java.version"),
                System.getProperty("java.vendor"),
                rt.availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("os.arch"));
        out.printf("known answers: RFC 7634 A, draft-mcgrew-gcm-test-01, sealed packets pinned per suite%n");
        out.printf(
                "throughput: %d-byte payloads, one thread, %d ms per figure after a warm-up,"
                        + " MB/s of payload (JMH figures: docs/benchmarks.md)%n%n",
                PAYLOAD, each.toMillis());
        out.printf("%-18s %-9s %-6s %9s %9s   %s%n", "suite", "KAT", "uses", "seal", "open", "other provider");
    }

    private boolean row(EspSuite suite) {
        CryptoProvider chosen = chosenProvider(suite);
        CryptoProvider other = chosen == CryptoProvider.JDK ? CryptoProvider.BOUNCY_CASTLE : CryptoProvider.JDK;
        var katChosen = KnownAnswers.check(suite, chosen);
        var katOther = KnownAnswers.check(suite, other);
        var fast = new Throughput(suite, chosen, PAYLOAD).measure(each);
        var slow = new Throughput(suite, other, PAYLOAD).measure(each);
        boolean ok = katChosen.passed() && katOther.passed() && fast.allOpened() && slow.allOpened();
        out.printf(
                "%-18s %-9s %-6s %9s %9s   %s %s / %s%n",
                suite.name(),
                ok ? "ok" : "FAIL",
                shortName(chosen) + "*",
                rate(fast.sealMBps()),
                rate(fast.openMBps()),
                shortName(other),
                rate(slow.sealMBps()).strip(),
                rate(slow.openMBps()).strip());
        if (!ok) {
            for (var kat : new KnownAnswers.Result[] {katChosen, katOther}) {
                if (!kat.passed()) {
                    out.printf("    %s: %s%n", shortName(kat.provider()), kat.detail());
                }
            }
        }
        return ok;
    }

    /** The provider the suite's main primitive gets; an HMAC suite is named after its cipher. */
    private static CryptoProvider chosenProvider(EspSuite suite) {
        return ProviderSelection.preferred(
                switch (suite.encryption()) {
                    case ENCR_AES_GCM_16 -> Primitive.AES_GCM;
                    case ENCR_CHACHA20_POLY1305 -> Primitive.CHACHA20_POLY1305;
                    case ENCR_AES_CBC -> Primitive.AES_CBC;
                    case ENCR_NULL -> Primitive.hmac(suite.integrity().hash());
                });
    }

    private static String defaultRule() {
        var gcm = ProviderSelection.choice(Primitive.AES_GCM);
        return "AES-GCM: " + shortName(gcm.provider()) + ", " + gcm.reason();
    }

    private static String rate(double mbps) {
        return mbps < 0 ? "FAIL" : String.format(Locale.ROOT, "%9.0f", mbps);
    }

    static String shortName(CryptoProvider p) {
        return p == CryptoProvider.JDK ? "JDK" : "BC";
    }

    private static String version() {
        String v = SelfTest.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }
}
