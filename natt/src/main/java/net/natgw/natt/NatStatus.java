package net.natgw.natt;

/**
 * What NAT detection concluded for one IKE SA (RFC 7296 §2.23, RFC 3947 §3.2).
 *
 * @param localBehindNat  our address was changed on the way: we send the keepalives
 * @param remoteBehindNat the peer's address was changed (or the peer faked NAT-D to force
 *                        UDP encapsulation, as strongSwan with kernel-libipsec always does)
 * @param forced          we asked for UDP encapsulation ourselves (strongSwan's {@code encap = yes})
 */
public record NatStatus(boolean localBehindNat, boolean remoteBehindNat, boolean forced) {
    public static final NatStatus NO_NAT = new NatStatus(false, false, false);

    /** Either end behind a NAT. */
    public boolean natDetected() {
        return localBehindNat || remoteBehindNat;
    }

    /**
     * RFC 7296 §2.23, RFC 3947 §4: with a NAT on the path IKE moves to port 4500 and ESP is
     * carried in UDP (RFC 3948); so it is when we force it.
     */
    public boolean udpEncapsulation() {
        return natDetected() || forced;
    }

    /** RFC 3948 §4: only the side behind a NAT keeps the mapping open. */
    public boolean sendsKeepalives() {
        return localBehindNat;
    }

    public NatStatus withForced(boolean force) {
        return new NatStatus(localBehindNat, remoteBehindNat, force);
    }
}
