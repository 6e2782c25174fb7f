package net.natgw.ike.eap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * EAP-TLS's Type-Data (RFC 5216 §3.1): Flags (L: the TLS Message Length follows, M: more
 * fragments, S: start), the length, and TLS records cut into fragments that the other side
 * acknowledges one by one with an empty message. Incoming fragments are joined up to
 * {@link #MAX_MESSAGE} octets; what is larger, or does not keep to its announced length, is an
 * EapException.
 */
final class EapTlsFraming {
    static final int L = 0x80;
    static final int M = 0x40;
    static final int S = 0x20;
    /** strongSwan's eap-tls fragment_size: TLS octets per EAP message. */
    static final int FRAGMENT = 1024;
    /** More than a TLS flight with a certificate chain needs: 64 KiB. */
    static final int MAX_MESSAGE = 65_536;

    private final Deque<byte[]> outgoing = new ArrayDeque<>();
    private ByteArrayOutputStream incoming;
    private int announced = -1;

    /** One decoded EAP-TLS Type-Data. */
    record Part(int flags, byte[] data) {
        boolean ack() {
            return flags == 0 && data.length == 0;
        }
    }

    static Part parse(byte[] typeData) throws EapException {
        if (typeData.length < 1) {
            throw new EapException("EAP-TLS without Flags");
        }
        int flags = typeData[0] & 0xff;
        int at = 1;
        if ((flags & L) != 0) {
            if (typeData.length < 5) {
                throw new EapException("EAP-TLS L flag without the TLS Message Length");
            }
            at = 5;
        }
        return new Part(flags, Arrays.copyOfRange(typeData, at, typeData.length));
    }

    static int announcedLength(byte[] typeData) {
        return ByteBuffer.wrap(typeData, 1, 4).getInt();
    }

    /**
     * Takes one received part: the whole TLS message once its last fragment is in, or null
     * while more are to come (then the caller acknowledges).
     */
    byte[] receive(byte[] typeData) throws EapException {
        Part p = parse(typeData);
        if (incoming == null) {
            incoming = new ByteArrayOutputStream();
            announced = (p.flags() & L) != 0 ? announcedLength(typeData) : -1;
            if (announced > MAX_MESSAGE || (p.flags() & M) != 0 && announced < 0) {
                throw new EapException("an EAP-TLS message of " + announced + " octets (at most " + MAX_MESSAGE
                        + ", and a first fragment must say how long)");
            }
        }
        incoming.writeBytes(p.data());
        int limit = announced >= 0 ? announced : MAX_MESSAGE;
        if (incoming.size() > limit) {
            throw new EapException(
                    "EAP-TLS fragments of " + incoming.size() + " octets, more than the " + limit + " announced");
        }
        if ((p.flags() & M) != 0) {
            return null;
        }
        byte[] whole = incoming.toByteArray();
        incoming = null;
        if (announced >= 0 && whole.length != announced) {
            throw new EapException("an EAP-TLS message of " + whole.length + " octets, " + announced + " announced");
        }
        return whole;
    }

    /** Whether a message of ours has fragments the other side has not acknowledged yet. */
    boolean sending() {
        return !outgoing.isEmpty();
    }

    /** Cuts {@code tls} into Type-Data fragments and returns the first (an empty message with nothing to send). */
    byte[] send(byte[] tls) {
        outgoing.clear();
        if (tls.length <= FRAGMENT) {
            return withFlags(0, -1, tls);
        }
        for (int at = 0; at < tls.length; at += FRAGMENT) {
            boolean first = at == 0;
            boolean last = at + FRAGMENT >= tls.length;
            byte[] piece = Arrays.copyOfRange(tls, at, Math.min(tls.length, at + FRAGMENT));
            outgoing.add(withFlags((first ? L : 0) | (last ? 0 : M), first ? tls.length : -1, piece));
        }
        return outgoing.poll();
    }

    /** The next fragment, once the last was acknowledged. */
    byte[] next() {
        return outgoing.poll();
    }

    static byte[] withFlags(int flags, int length, byte[] data) {
        var out = ByteBuffer.allocate(1 + (length >= 0 ? 4 : 0) + data.length);
        out.put((byte) flags);
        if (length >= 0) {
            out.putInt(length);
        }
        return out.put(data).array();
    }

    /** The acknowledgement of a fragment: Flags 0, nothing else (RFC 5216 §2.1.2). */
    static byte[] ack() {
        return new byte[] {0};
    }
}
