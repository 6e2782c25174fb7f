package net.natgw.testbeds.strongswan;

import java.util.List;
import java.util.Map;

/**
 * One IKE SA as {@code swanctl --list-sas} reports it, with its CHILD_SAs.
 *
 * @param natLocal  this peer saw that it is behind a NAT (RFC 7296 §2.23 NAT-D mismatch)
 * @param natRemote this peer saw that the other one is behind a NAT
 * @param natFake   this peer faked NAT-D to force UDP encapsulation (kernel-libipsec does)
 * @param spis      the IKE SA's SPIs, initiator's then responder's: the same SA after a move
 */
public record IkeSaStatus(
        String name,
        int version,
        String state,
        String localHost,
        int localPort,
        String remoteHost,
        int remotePort,
        boolean natLocal,
        boolean natRemote,
        boolean natFake,
        String algorithms,
        String spis,
        List<ChildSaStatus> children) {
    /**
     * A CHILD_SA: state, mode, whether ESP is in UDP, its algorithms ("AES_GCM_16_128" or
     * "AES_CBC_256/HMAC_SHA2_256_128"), whether it has extended sequence numbers (RFC 4304) and
     * its traffic counters.
     */
    public record ChildSaStatus(
            String name,
            String state,
            String mode,
            boolean encap,
            String algorithms,
            boolean esn,
            String spiIn,
            String spiOut,
            long packetsIn,
            long packetsOut,
            List<String> localTs,
            List<String> remoteTs) {}

    @SuppressWarnings("unchecked")
    static IkeSaStatus from(String name, Map<String, Object> sa) {
        var children = ((Map<String, Object>) sa.getOrDefault("child-sas", Map.of()))
                .values().stream().map(c -> child((Map<String, Object>) c)).toList();
        return new IkeSaStatus(
                name,
                Integer.parseInt(text(sa, "version", "0")),
                text(sa, "state", ""),
                text(sa, "local-host", ""),
                Integer.parseInt(text(sa, "local-port", "0")),
                text(sa, "remote-host", ""),
                Integer.parseInt(text(sa, "remote-port", "0")),
                yes(sa, "nat-local"),
                yes(sa, "nat-remote"),
                yes(sa, "nat-fake"),
                algorithms(sa) + "/" + text(sa, "prf-alg", "") + "/" + text(sa, "dh-group", ""),
                text(sa, "initiator-spi", "") + "_i " + text(sa, "responder-spi", "") + "_r",
                children);
    }

    @SuppressWarnings("unchecked")
    private static ChildSaStatus child(Map<String, Object> c) {
        return new ChildSaStatus(
                text(c, "name", ""),
                text(c, "state", ""),
                text(c, "mode", ""),
                yes(c, "encap"),
                algorithms(c),
                "1".equals(text(c, "esn", "")),
                text(c, "spi-in", ""),
                text(c, "spi-out", ""),
                Long.parseLong(text(c, "packets-in", "0")),
                Long.parseLong(text(c, "packets-out", "0")),
                (List<String>) c.getOrDefault("local-ts", List.of()),
                (List<String>) c.getOrDefault("remote-ts", List.of()));
    }

    /** strongSwan's notation: encryption with key size, then integrity if there is one. */
    private static String algorithms(Map<String, Object> m) {
        String keySize = text(m, "encr-keysize", "");
        String integ = text(m, "integ-alg", "");
        return text(m, "encr-alg", "")
                + (keySize.isEmpty() ? "" : "_" + keySize)
                + (integ.isEmpty() ? "" : "/" + integ);
    }

    private static String text(Map<String, Object> m, String key, String otherwise) {
        Object v = m.get(key);
        return v instanceof String s ? s : otherwise;
    }

    private static boolean yes(Map<String, Object> m, String key) {
        return "yes".equals(m.get(key));
    }
}
