package net.natgw.testbeds.interop;

import java.util.List;

/**
 * One row of docs/interop-matrix.md: who talked to whom through which path, and how it went.
 *
 * @param ikeVersion 1 or 2, or 0 for manually keyed SAs
 * @param setup      whether the SAs came up and traffic crossed the tunnel
 * @param afterEvent traffic after the path's event (NAT mappings flushed, idle past the NAT
 *                   timeout): "ok", "broken: why", or "-" where the path has no event
 */
public record InteropResult(
        String scenario,
        String initiator,
        String responder,
        String path,
        int ikeVersion,
        boolean setup,
        String afterEvent,
        long setupMillis,
        String detail) {
    static final String HEADER = "scenario\tinitiator\tresponder\tpath\tike\tsetup\tafter_event\tsetup_ms\tdetail";

    String toTsv() {
        return String.join(
                "\t",
                List.of(
                        scenario,
                        initiator,
                        responder,
                        path,
                        Integer.toString(ikeVersion),
                        setup ? "ok" : "failed",
                        afterEvent,
                        Long.toString(setupMillis),
                        detail.replace('\t', ' ').replace('\n', ' ')));
    }

    static InteropResult fromTsv(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 9) {
            throw new IllegalArgumentException("not an interop result line: " + line);
        }
        return new InteropResult(
                f[0], f[1], f[2], f[3], Integer.parseInt(f[4]), f[5].equals("ok"), f[6], Long.parseLong(f[7]), f[8]);
    }

    /** Rows for the same scenario, peers, path and version replace each other. */
    String key() {
        return String.join("|", scenario, initiator, responder, path, Integer.toString(ikeVersion));
    }
}
