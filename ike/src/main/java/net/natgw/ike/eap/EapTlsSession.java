package net.natgw.ike.eap;

import java.io.IOException;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsProtocol;
import org.bouncycastle.tls.TlsUtils;

/**
 * What one EAP-TLS handshake leaves behind, for either side: the MSK and the version, taken when
 * the handshake completes (Bouncy Castle opens the exporter only then), and why its last alert
 * was raised, for the log.
 */
final class EapTlsSession {
    private byte[] msk;
    private boolean tls13;
    private String raised = "";

    /** From notifyHandshakeComplete. */
    void completed(TlsContext context) {
        msk = EapTlsCredentials.msk(context);
        tls13 = TlsUtils.isTLSv13(context);
    }

    /** From notifyAlertRaised. */
    void alertRaised(String message, Throwable cause) {
        raised = (message == null ? "" : message)
                + (cause != null && cause.getMessage() != null ? " (" + cause.getMessage() + ")" : "");
    }

    /** The MSK once the handshake completed; null before. */
    byte[] msk() {
        return msk == null ? null : msk.clone();
    }

    boolean tls13() {
        return tls13;
    }

    /** A TLS failure for the log: the alert, what caused it, and why it was raised when Bouncy Castle says. */
    String describe(IOException e) {
        String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        return "TLS: " + what
                + (cause != null && cause.getMessage() != null ? " (" + cause.getMessage() + ")" : "")
                + (raised.isEmpty() || what.contains(raised) ? "" : ": " + raised);
    }

    /** Everything the protocol has to send now. */
    static byte[] output(TlsProtocol tls) {
        int n = tls.getAvailableOutputBytes();
        byte[] out = new byte[n];
        tls.readOutput(out, 0, n);
        return out;
    }
}
