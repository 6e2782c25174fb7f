package net.natgw.ike.v1;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A captured IKEv1 exchange and the keys charon dumped for it, as the fixtures write them:
 * {@code key = hex} lines and {@code packet = dir srcport dstport hex} lines (UDP payloads; on
 * 4500 IKE follows the four-byte non-ESP marker, ESP does not).
 */
record CapturedExchange(Map<String, byte[]> values, List<byte[]> ike, List<byte[]> esp) {
    static CapturedExchange load(String resource) throws IOException {
        var values = new HashMap<String, byte[]>();
        var ike = new ArrayList<byte[]>();
        var esp = new ArrayList<byte[]>();
        try (InputStream in = CapturedExchange.class.getResourceAsStream(resource)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] kv = line.split(" = ", 2);
                if (!kv[0].equals("packet")) {
                    values.put(kv[0], HexFormat.of().parseHex(kv[1]));
                    continue;
                }
                String[] f = kv[1].split(" ");
                byte[] payload = HexFormat.of().parseHex(f[3]);
                boolean marker =
                        payload.length >= 4 && payload[0] == 0 && payload[1] == 0 && payload[2] == 0 && payload[3] == 0;
                if (f[1].equals("4500") && marker) {
                    ike.add(Arrays.copyOfRange(payload, 4, payload.length));
                } else if (f[1].equals("4500")) {
                    esp.add(payload);
                } else {
                    ike.add(payload);
                }
            }
        }
        return new CapturedExchange(Map.copyOf(values), List.copyOf(ike), List.copyOf(esp));
    }

    byte[] value(String key) {
        return values.get(key).clone();
    }

    /** The ISAKMP cookie at {@code at} (0: the initiator's, 8: the responder's) of message {@code n}. */
    byte[] cookie(int n, int at) {
        return Arrays.copyOfRange(ike.get(n), at, at + 8);
    }
}
