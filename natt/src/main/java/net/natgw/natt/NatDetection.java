package net.natgw.natt;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Random;
import net.natgw.esp.crypto.HashAlgorithm;

/**
 * NAT-D hashes of one IKE SA and the conclusions drawn from them.
 *
 * <p>IKEv2 (RFC 7296 §2.23): {@code SHA-1(SPIi | SPIr | IP | port)}, SPIr zero in the
 * IKE_SA_INIT request. IKEv1 (RFC 3947 §3.2): {@code HASH(CKY-I | CKY-R | IP | port)} with the
 * negotiated hash. The address is 4 (IPv4) or 16 (IPv6) bytes, the port 2, all in network order.
 */
public final class NatDetection {
    private final HashAlgorithm hash;
    private final long spiI;
    private final long spiR;

    private NatDetection(HashAlgorithm hash, long spiI, long spiR) {
        this.hash = hash;
        this.spiI = spiI;
        this.spiR = spiR;
    }

    public static NatDetection ikev2(long spiI, long spiR) {
        return new NatDetection(HashAlgorithm.SHA1, spiI, spiR);
    }

    /** @param hash the hash function negotiated for the IKE SA (RFC 3947 §3.2) */
    public static NatDetection ikev1(HashAlgorithm hash, long cookieI, long cookieR) {
        return new NatDetection(hash, cookieI, cookieR);
    }

    public byte[] hash(InetSocketAddress endpoint) {
        MessageDigest digest = digest();
        for (int shift = 56; shift >= 0; shift -= 8) {
            digest.update((byte) (spiI >>> shift));
        }
        for (int shift = 56; shift >= 0; shift -= 8) {
            digest.update((byte) (spiR >>> shift));
        }
        digest.update(endpoint.getAddress().getAddress());
        digest.update((byte) (endpoint.getPort() >>> 8));
        digest.update((byte) endpoint.getPort());
        return digest.digest();
    }

    /**
     * The source hash we send. Forcing encapsulation sends one that matches no address, so the
     * peer takes us for a host behind a NAT and encapsulates too: how strongSwan's
     * {@code encap = yes} works, since neither RFC has a payload to ask for it.
     */
    public byte[] sourceHash(InetSocketAddress local, boolean forceEncapsulation, Random random) {
        if (!forceEncapsulation) {
            return hash(local);
        }
        byte[] fake = new byte[hash.digestLength()];
        random.nextBytes(fake);
        return fake;
    }

    /**
     * What the peer's NAT-D payloads say, received in a packet from {@code packetSource} to
     * {@code packetDestination} as our socket saw it.
     *
     * <p>RFC 7296 §2.23: if no source hash matches the packet's source, the sender is behind a
     * NAT; if the destination hash does not match the packet's destination, we are.
     */
    public NatStatus evaluate(
            InetSocketAddress packetSource,
            InetSocketAddress packetDestination,
            List<byte[]> sourceHashes,
            byte[] destinationHash) {
        byte[] expectedSource = hash(packetSource);
        boolean remoteBehindNat = sourceHashes.stream().noneMatch(h -> MessageDigest.isEqual(h, expectedSource));
        boolean localBehindNat = !MessageDigest.isEqual(destinationHash, hash(packetDestination));
        return new NatStatus(localBehindNat, remoteBehindNat, false);
    }

    private MessageDigest digest() {
        try {
            return MessageDigest.getInstance(hash.jdkName());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + hash.jdkName(), e);
        }
    }
}
