package net.natgw.ike.eap;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The Type-Data of an EAP-MSCHAPv2 packet (draft-kamath-pppext-eap-mschapv2-02 §2):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    OpCode     |  MS-CHAPv2-ID |           MS-Length           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Value-Size   |  Value (Challenge: 16, Response: 49) ... | Name ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * A Success or Failure request carries a message instead of Value and Name ("S=... M=...",
 * "E=691 R=0 ..."); the peer acknowledges either with the OpCode alone.
 *
 * @param value   the challenge, or the response (Peer-Challenge, 8 reserved, NT-Response, Flags);
 *                empty for Success and Failure
 * @param text    the Name (Challenge, Response) or the message (Success, Failure requests)
 */
public record MsChapV2Packet(int opCode, int id, byte[] value, String text) {
    public static final int CHALLENGE = 1;
    public static final int RESPONSE = 2;
    public static final int SUCCESS = 3;
    public static final int FAILURE = 4;

    /** RFC 2759 §4: 16 octets of challenge. */
    public static final int CHALLENGE_LENGTH = 16;
    /** RFC 2759 §4: Peer-Challenge 16, Reserved 8, NT-Response 24, Flags 1. */
    public static final int RESPONSE_LENGTH = 49;

    private static final int HEADER = 4;

    public MsChapV2Packet {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The peer's acknowledgement of a Success or Failure request: the OpCode alone. */
    public static byte[] acknowledgement(int opCode) {
        return new byte[] {(byte) opCode};
    }

    /** A request or response with a header; {@code acknowledgement}s are one octet and not decoded here. */
    public static MsChapV2Packet decode(byte[] data) throws EapException {
        if (data.length < HEADER) {
            throw new EapException("MS-CHAPv2 packet of " + data.length + " octets");
        }
        int opCode = data[0] & 0xff;
        int id = data[1] & 0xff;
        int length = ((data[2] & 0xff) << 8) | (data[3] & 0xff);
        if (length != data.length) {
            throw new EapException("MS-CHAPv2 MS-Length " + length + " in " + data.length + " octets");
        }
        return switch (opCode) {
            case CHALLENGE, RESPONSE -> {
                int expected = opCode == CHALLENGE ? CHALLENGE_LENGTH : RESPONSE_LENGTH;
                if (data.length < HEADER + 1 + expected || (data[HEADER] & 0xff) != expected) {
                    throw new EapException("MS-CHAPv2 Value-Size is not " + expected);
                }
                yield new MsChapV2Packet(
                        opCode,
                        id,
                        Arrays.copyOfRange(data, HEADER + 1, HEADER + 1 + expected),
                        new String(
                                data,
                                HEADER + 1 + expected,
                                data.length - HEADER - 1 - expected,
                                StandardCharsets.UTF_8));
            }
            case SUCCESS, FAILURE ->
                new MsChapV2Packet(
                        opCode,
                        id,
                        new byte[0],
                        new String(data, HEADER, data.length - HEADER, StandardCharsets.UTF_8));
            default -> throw new EapException("MS-CHAPv2 OpCode " + opCode);
        };
    }

    public byte[] encode() {
        byte[] name = text.getBytes(StandardCharsets.UTF_8);
        boolean valued = opCode == CHALLENGE || opCode == RESPONSE;
        int length = HEADER + (valued ? 1 + value.length : 0) + name.length;
        byte[] out = new byte[length];
        out[0] = (byte) opCode;
        out[1] = (byte) id;
        out[2] = (byte) (length >>> 8);
        out[3] = (byte) length;
        int at = HEADER;
        if (valued) {
            out[at++] = (byte) value.length;
            System.arraycopy(value, 0, out, at, value.length);
            at += value.length;
        }
        System.arraycopy(name, 0, out, at, name.length);
        return out;
    }
}
