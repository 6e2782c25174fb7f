package net.natgw.ike.eap;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Function;
import net.natgw.ike.message.Untrusted;

/**
 * The server's side of one EAP-MSCHAPv2 conversation (draft-kamath-pppext-eap-mschapv2-02 §2,
 * RFC 2759): Challenge; the peer's Response checked against the user's password; Success with
 * the Authenticator Response (or Failure, E=691), acknowledged by the peer; then EAP Success with
 * the MSK, or EAP Failure. One instance per IKE SA; not thread-safe (its IKE SA's thread only).
 */
public final class EapMsChapV2Server implements EapServerMethod {
    private enum State {
        CHALLENGED,
        SUCCESS_SENT,
        FAILURE_SENT,
        DONE
    }

    private final String serverName;
    private final Function<String, Optional<String>> passwords;
    private final SecureRandom random;
    private final byte[] challenge = new byte[MsChapV2Packet.CHALLENGE_LENGTH];
    private State state = State.DONE;
    private int identifier;
    private byte[] msk;
    private String why;

    /**
     * @param serverName the Name in the Challenge (strongSwan sends its own identity)
     * @param passwords  the password of a user name, as {@code secrets { eap-* }} hold them
     */
    public EapMsChapV2Server(String serverName, Function<String, Optional<String>> passwords, SecureRandom random) {
        this.serverName = serverName;
        this.passwords = passwords;
        this.random = random;
    }

    @Override
    public int type() {
        return EapPacket.MSCHAPV2;
    }

    /** The first Request, with {@code eapIdentifier}. */
    @Override
    public EapPacket start(int eapIdentifier) {
        random.nextBytes(challenge);
        identifier = eapIdentifier & 0xff;
        state = State.CHALLENGED;
        return request(new MsChapV2Packet(MsChapV2Packet.CHALLENGE, identifier, challenge, serverName));
    }

    /** The peer's Response to our last Request; an EapException for what does not belong to it. */
    @Override
    public EapStep process(EapPacket response) throws EapException {
        if (response.code() != EapPacket.RESPONSE || response.identifier() != identifier) {
            throw new EapException(response + " does not answer Request " + identifier);
        }
        if (response.type() == EapPacket.NAK) {
            state = State.DONE;
            return new EapStep.Failed(EapPacket.failure(identifier), "the peer refuses EAP-MSCHAPv2 (Nak)");
        }
        if (response.type() != EapPacket.MSCHAPV2) {
            throw new EapException("EAP type " + response.type() + " in an EAP-MSCHAPv2 conversation");
        }
        byte[] data = response.typeData();
        return switch (state) {
            case CHALLENGED -> checkResponse(MsChapV2Packet.decode(data));
            case SUCCESS_SENT -> {
                acknowledged(data, MsChapV2Packet.SUCCESS);
                yield new EapStep.Succeeded(EapPacket.success(identifier), msk);
            }
            case FAILURE_SENT -> {
                acknowledged(data, MsChapV2Packet.FAILURE);
                yield new EapStep.Failed(EapPacket.failure(identifier), why);
            }
            case DONE -> throw new EapException("the EAP-MSCHAPv2 conversation is over");
        };
    }

    private EapStep checkResponse(MsChapV2Packet p) throws EapException {
        if (p.opCode() != MsChapV2Packet.RESPONSE || p.id() != identifier) {
            throw new EapException("MS-CHAPv2 OpCode " + p.opCode() + " ID " + p.id() + " where a Response "
                    + identifier + " belongs");
        }
        byte[] value = p.value();
        byte[] peerChallenge = Arrays.copyOf(value, 16);
        byte[] ntResponse = Arrays.copyOfRange(value, 24, 48);
        String user = p.text();
        Optional<String> password = passwords.apply(user);
        identifier = (identifier + 1) & 0xff;
        if (password.isPresent()
                && MessageDigest.isEqual(
                        ntResponse, MsChapV2.ntResponse(challenge, peerChallenge, user, password.get()))) {
            msk = MsChapV2.msk(password.get(), ntResponse);
            String proof = MsChapV2.authenticatorResponse(password.get(), ntResponse, peerChallenge, challenge, user);
            state = State.SUCCESS_SENT;
            return new EapStep.Next(
                    request(new MsChapV2Packet(MsChapV2Packet.SUCCESS, identifier, new byte[0], proof + " M=welcome")));
        }
        why = password.isPresent()
                ? "wrong password for " + Untrusted.escape(user)
                : "unknown user " + Untrusted.escape(user);
        // RFC 2759 §6: E=691 (authentication failure), R=0 (no retry), a fresh challenge, V=3.
        byte[] fresh = new byte[MsChapV2Packet.CHALLENGE_LENGTH];
        random.nextBytes(fresh);
        state = State.FAILURE_SENT;
        String message = "E=691 R=0 C=" + HexFormat.of().withUpperCase().formatHex(fresh) + " V=3 M=failed";
        return new EapStep.Refusing(
                request(new MsChapV2Packet(MsChapV2Packet.FAILURE, identifier, new byte[0], message)), why);
    }

    private void acknowledged(byte[] data, int opCode) throws EapException {
        if (!Arrays.equals(data, MsChapV2Packet.acknowledgement(opCode))) {
            throw new EapException("MS-CHAPv2: expected the acknowledgement of OpCode " + opCode);
        }
        state = State.DONE;
    }

    private static EapPacket request(MsChapV2Packet p) {
        return EapPacket.request(p.id(), EapPacket.MSCHAPV2, p.encode());
    }

    /** For logs: the server name as sent. */
    @Override
    public String toString() {
        return "EAP-MSCHAPv2 server " + serverName;
    }
}
