package net.natgw.ike.eap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The peer's (client's) side of EAP-MSCHAPv2: the NT-Response to the server's Challenge, and the
 * server's Authenticator Response checked before the MSK is taken (RFC 2759 §5: the
 * authentication is mutual). Not thread-safe: its IKE SA's thread only.
 */
public final class EapMsChapV2Peer implements EapPeerMethod {
    private final String user;
    private final String password;
    private final SecureRandom random;
    private byte[] authenticatorChallenge;
    private byte[] peerChallenge;
    private byte[] ntResponse;
    private byte[] msk;

    public EapMsChapV2Peer(String user, String password, SecureRandom random) {
        this.user = user;
        this.password = password;
        this.random = random;
    }

    @Override
    public int type() {
        return EapPacket.MSCHAPV2;
    }

    /** The Response to one of the server's Requests. */
    @Override
    public EapPacket respond(EapPacket request) throws EapException {
        if (request.code() != EapPacket.REQUEST || request.type() != EapPacket.MSCHAPV2) {
            throw new EapException(request + " is not an EAP-MSCHAPv2 Request");
        }
        MsChapV2Packet p = MsChapV2Packet.decode(request.typeData());
        byte[] reply = switch (p.opCode()) {
            case MsChapV2Packet.CHALLENGE -> {
                authenticatorChallenge = p.value();
                peerChallenge = new byte[16];
                random.nextBytes(peerChallenge);
                ntResponse = MsChapV2.ntResponse(authenticatorChallenge, peerChallenge, user, password);
                byte[] value = new byte[MsChapV2Packet.RESPONSE_LENGTH];
                System.arraycopy(peerChallenge, 0, value, 0, 16);
                System.arraycopy(ntResponse, 0, value, 24, 24);
                yield new MsChapV2Packet(MsChapV2Packet.RESPONSE, p.id(), value, user).encode();
            }
            case MsChapV2Packet.SUCCESS -> {
                if (ntResponse == null) {
                    throw new EapException("MS-CHAPv2 Success before any Challenge");
                }
                String expected = MsChapV2.authenticatorResponse(
                        password, ntResponse, peerChallenge, authenticatorChallenge, user);
                String got = p.text().length() >= expected.length() ? p.text().substring(0, expected.length()) : "";
                if (!MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.US_ASCII), got.getBytes(StandardCharsets.US_ASCII))) {
                    throw new EapException(
                            "the server's Authenticator Response is wrong: it does not know the password");
                }
                msk = MsChapV2.msk(password, ntResponse);
                yield MsChapV2Packet.acknowledgement(MsChapV2Packet.SUCCESS);
            }
            case MsChapV2Packet.FAILURE -> MsChapV2Packet.acknowledgement(MsChapV2Packet.FAILURE);
            default -> throw new EapException("MS-CHAPv2 OpCode " + p.opCode() + " in a Request");
        };
        return EapPacket.response(request.identifier(), EapPacket.MSCHAPV2, reply);
    }

    /** Mutual: done only once the server proved it knows the password. */
    @Override
    public boolean done() {
        return msk != null;
    }

    /** The MSK, once the server proved it knows the password. */
    @Override
    public Optional<byte[]> msk() {
        return Optional.ofNullable(msk).map(byte[]::clone);
    }
}
