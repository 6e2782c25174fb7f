package net.natgw.ike.v1.sa;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.natgw.ike.config.Fragmentation;
import net.natgw.ike.message.IkeProtocolException;
import net.natgw.ike.v1.message.IsakmpMessage;
import net.natgw.ike.v1.message.Notification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IKEv1 fragmentation as strongSwan and Cisco do it (there is no RFC): announced with the
 * FRAGMENTATION vendor ID, a message larger than {@code fragment_size} goes as the bytes of the
 * whole message cut into Fragment payloads (type 132), each in a message of its own with the
 * same header but that payload: fragment ID (2 octets), number from 1 (1 octet), flags (1
 * octet, 1 = the last). The fragments are not protected themselves; what they make is checked
 * as any message is (its HASH or signature). So the reassembly here is bounded (16 fragments,
 * strongSwan's {@code max_ikev1_fragments}, and 64 KiB), held only for an SA whose cookies the
 * fragments name, one message at a time.
 */
final class V1Fragments {
    private static final Logger log = LoggerFactory.getLogger(V1Fragments.class);
    static final int PAYLOAD = 132;
    static final int MAX_FRAGMENTS = 16;
    static final int MAX_BYTES = 64 * 1024;
    private static final int FLAG_LAST = 1;
    private static final int OVERHEAD = IsakmpMessage.HEADER_LENGTH + 8;

    private int id = -1;
    private byte[][] parts = new byte[MAX_FRAGMENTS][];
    private int received;
    private int bytes;
    private int last;
    private int nextId = 1;

    /**
     * The datagrams that carry {@code message} to a peer that announced fragmentation: itself,
     * or, larger than one {@code fragment_size} datagram, its fragments.
     */
    List<byte[]> outgoing(IsakmpSa sa, byte[] message) {
        Fragmentation f = sa.config().fragmentation();
        int max = f.maxMessageLength(sa.remote.getAddress(), sa.nattPort);
        if (!sa.peerFragments || f.mode() != Fragmentation.Mode.YES || message.length <= max) {
            return List.of(message);
        }
        int room = max - OVERHEAD;
        int count = (message.length + room - 1) / room;
        int fragmentId = nextId++ & 0xFFFF;
        var out = new ArrayList<byte[]>(count);
        for (int n = 1; n <= count; n++) {
            int from = (n - 1) * room;
            int to = Math.min(message.length, from + room);
            byte[] d = new byte[OVERHEAD + to - from];
            // The original header: cookies, version, exchange type, message ID; then our payload.
            System.arraycopy(message, 0, d, 0, IsakmpMessage.HEADER_LENGTH);
            d[16] = (byte) PAYLOAD;
            d[19] = 0;
            putU32(d, 24, d.length);
            d[28] = 0;
            d[29] = 0;
            d[30] = (byte) ((d.length - 28) >>> 8);
            d[31] = (byte) (d.length - 28);
            d[32] = (byte) (fragmentId >>> 8);
            d[33] = (byte) fragmentId;
            d[34] = (byte) n;
            d[35] = (byte) (n == count ? FLAG_LAST : 0);
            System.arraycopy(message, from, d, OVERHEAD, to - from);
            out.add(d);
        }
        log.info("{} sending a {}-byte message in {} fragments", sa.name(), message.length, count);
        return out;
    }

    /**
     * Adds a received fragment message; the whole message once the last is in.
     *
     * @throws IkeProtocolException PAYLOAD_MALFORMED for a fragment that does not parse, is
     *                              numbered outside 1 to 16, or would make too large a message
     */
    Optional<byte[]> add(byte[] datagram) throws IkeProtocolException {
        if (datagram.length < OVERHEAD + 1
                || ((datagram[30] & 0xFF) << 8 | datagram[31] & 0xFF)
                        != datagram.length - IsakmpMessage.HEADER_LENGTH) {
            throw malformed("a fragment payload that is not the whole message");
        }
        int fragmentId = (datagram[32] & 0xFF) << 8 | datagram[33] & 0xFF;
        int number = datagram[34] & 0xFF;
        boolean isLast = (datagram[35] & FLAG_LAST) != 0;
        if (number < 1 || number > MAX_FRAGMENTS) {
            throw malformed("fragment number " + number);
        }
        if (fragmentId != id) {
            reset();
            id = fragmentId;
        }
        if (parts[number - 1] != null) {
            return Optional.empty();
        }
        if (last != 0 && number > last) {
            reset();
            throw malformed("fragment " + number + " after the last, " + last);
        }
        byte[] data = Arrays.copyOfRange(datagram, OVERHEAD, datagram.length);
        if (bytes + data.length > MAX_BYTES || isLast && last != 0 || isLast && received > 0 && highest() > number) {
            reset();
            throw malformed("fragment " + number + " of message " + fragmentId + " does not fit the others");
        }
        parts[number - 1] = data;
        received++;
        bytes += data.length;
        if (isLast) {
            last = number;
        }
        if (last == 0 || received < last) {
            return Optional.empty();
        }
        byte[] whole = new byte[bytes];
        int at = 0;
        for (int i = 0; i < last; i++) {
            System.arraycopy(parts[i], 0, whole, at, parts[i].length);
            at += parts[i].length;
        }
        reset();
        return Optional.of(whole);
    }

    private int highest() {
        for (int i = MAX_FRAGMENTS - 1; i >= 0; i--) {
            if (parts[i] != null) {
                return i + 1;
            }
        }
        return 0;
    }

    private void reset() {
        id = -1;
        parts = new byte[MAX_FRAGMENTS][];
        received = 0;
        bytes = 0;
        last = 0;
    }

    private static IkeProtocolException malformed(String why) {
        return new IkeProtocolException(Notification.PAYLOAD_MALFORMED, why);
    }

    private static void putU32(byte[] d, int at, int v) {
        d[at] = (byte) (v >>> 24);
        d[at + 1] = (byte) (v >>> 16);
        d[at + 2] = (byte) (v >>> 8);
        d[at + 3] = (byte) v;
    }
}
