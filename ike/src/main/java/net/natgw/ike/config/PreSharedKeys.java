package net.natgw.ike.config;

import java.util.Arrays;
import java.util.List;
import net.natgw.ike.message.IdPayload;

/**
 * The pre-shared keys of one connection (RFC 7296 §2.15): the key for its peer, and, for a
 * connection open to any peer identity ({@code remote.id = %any}), the keys that particular
 * identities own. strongSwan looks a key up by the identity pair once the peer's ID is known;
 * so does natgw: each road warrior with its own secret authenticates with that one.
 */
public final class PreSharedKeys {
    public static final PreSharedKeys NONE = new PreSharedKeys(new byte[0], List.of());

    /** A key that the identity {@code peer} owns, better matched than the general one. */
    public record PeerKey(IdPayload peer, byte[] secret) {
        public PeerKey {
            secret = secret.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PeerKey k && peer.equals(k.peer) && Arrays.equals(secret, k.secret);
        }

        @Override
        public int hashCode() {
            return peer.hashCode() * 31 + Arrays.hashCode(secret);
        }

        @Override
        public String toString() {
            return "PeerKey[" + peer + "]";
        }
    }

    private final byte[] general;
    private final List<PeerKey> byPeer;

    private PreSharedKeys(byte[] general, List<PeerKey> byPeer) {
        this.general = general.clone();
        this.byPeer = List.copyOf(byPeer);
    }

    /** One key, whoever the peer is. */
    public static PreSharedKeys of(byte[] secret) {
        return new PreSharedKeys(secret, List.of());
    }

    /** {@code general} for any peer, and the keys of particular peers before it. */
    public static PreSharedKeys of(byte[] general, List<PeerKey> byPeer) {
        return new PreSharedKeys(general, byPeer);
    }

    /** The key for a peer whose identity is not known yet (as initiator to {@code %any}), or for any peer. */
    public byte[] general() {
        return general.clone();
    }

    /** The key of this peer identity: its own, if a secret names it, else the general one. */
    public byte[] forPeer(IdPayload peer) {
        for (PeerKey k : byPeer) {
            if (k.peer().sameIdentity(peer)) {
                return k.secret().clone();
            }
        }
        return general();
    }

    public boolean isEmpty() {
        return general.length == 0 && byPeer.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreSharedKeys k && Arrays.equals(general, k.general) && byPeer.equals(k.byPeer);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(general) * 31 + byPeer.hashCode();
    }

    /** Never the secrets: configurations get logged. */
    @Override
    public String toString() {
        return "PreSharedKeys[" + (general.length > 0 ? "general, " : "") + byPeer.size() + " by peer]";
    }
}
