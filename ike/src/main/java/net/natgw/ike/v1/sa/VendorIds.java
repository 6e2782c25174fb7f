package net.natgw.ike.v1.sa;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.natgw.ike.v1.message.VendorId;

/**
 * The vendor IDs natgw sends and recognises: NAT traversal (RFC 3947 §2, the MD5 of "RFC 3947";
 * the drafts' by the same rule, draft 02 in both spellings) and dead peer detection (RFC 3706 §5).
 */
final class VendorIds {
    static final byte[] RFC_3947 = md5("RFC 3947");
    static final byte[] DRAFT_02 = md5("draft-ietf-ipsec-nat-t-ike-02");
    static final byte[] DRAFT_02_NEWLINE = md5("draft-ietf-ipsec-nat-t-ike-02\n");
    static final byte[] DRAFT_03 = md5("draft-ietf-ipsec-nat-t-ike-03");
    static final List<byte[]> DRAFTS = List.of(DRAFT_03, DRAFT_02, DRAFT_02_NEWLINE);
    static final byte[] DPD = HexFormat.of().parseHex("afcad71368a1f1c96b8696fc77570100");
    /** IKEv1 fragmentation (Cisco's, as strongSwan sends it: 16 octets, then flags 0x80000000). */
    static final byte[] FRAGMENTATION = HexFormat.of().parseHex("4048b7d56ebce88525e7de7f00d6c2d380000000");

    private VendorIds() {}

    /** Which NAT traversal the peer's vendor IDs announce: RFC 3947, one of its drafts, or none. */
    static IsakmpSa.Traversal traversal(List<VendorId> vids) {
        if (vids.stream().anyMatch(v -> Arrays.equals(v.data(), RFC_3947))) {
            return IsakmpSa.Traversal.RFC;
        }
        return vids.stream().anyMatch(v -> DRAFTS.stream().anyMatch(d -> Arrays.equals(d, v.data())))
                ? IsakmpSa.Traversal.DRAFT
                : IsakmpSa.Traversal.NONE;
    }

    /** Whether the peer announced IKEv1 fragmentation: the first 16 octets; the flags vary by vendor. */
    static boolean fragmentation(List<VendorId> vids) {
        return vids.stream()
                .anyMatch(v -> v.data().length >= 16 && Arrays.equals(v.data(), 0, 16, FRAGMENTATION, 0, 16));
    }

    /** Whether the peer announced RFC 3706 dead peer detection. */
    static boolean dpd(List<VendorId> vids) {
        return vids.stream().anyMatch(v -> Arrays.equals(v.data(), DPD));
    }

    /** The draft's vendor ID the peer sent, which a responder answers with (RFC 3947 is preferred). */
    static byte[] draftSeen(List<VendorId> vids) {
        return DRAFTS.stream()
                .filter(d -> vids.stream().anyMatch(v -> Arrays.equals(v.data(), d)))
                .findFirst()
                .orElseThrow();
    }

    private static byte[] md5(String text) {
        try {
            return MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }
}
