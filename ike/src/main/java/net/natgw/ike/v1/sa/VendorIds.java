package net.natgw.ike.v1.sa;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

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

    private VendorIds() {
    }

    private static byte[] md5(String text) {
        try {
            return MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }
}
