package net.natgw.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Command output as JSON (RFC 8259): strings escaped per §7, values nested per §4 and §5. */
class JsonTest {
    @Test
    void quotesAndBackslashesAreEscaped() {
        assertEquals(
                "{\"say \\\"hi\\\"\":\"C:\\\\natgw\\\\\"}",
                Json.object().put("say \"hi\"", "C:\\natgw\\").toString());
    }

    @Test
    void controlCharactersAreEscaped() {
        // RFC 8259 §7: U+0000 to U+001F MUST be escaped.
        assertEquals(
                "[\"a\\nb\\tc\\u000d\\u0000\\u0001\\u001f\"]",
                Json.array().add("a\nb\tc\r\0\u0001\u001f").toString());
    }

    @Test
    void otherCharactersPassUnchanged() {
        // RFC 8259 §7: anything else may appear as itself, DEL and non-ASCII included.
        assertEquals(
                "[\"caf\u00e9 \u00fc\u20ac\ud83d\ude00\u007f/\"]",
                Json.array().add("caf\u00e9 \u00fc\u20ac\ud83d\ude00\u007f/").toString());
    }

    @Test
    void valuesOfEachKindAreWrittenAsJson() {
        String json = Json.object()
                .put("n", 42)
                .put("big", 0xffff_ffff_ffffL)
                .put("t", true)
                .put("f", false)
                .put("none", null)
                .put("s", "x")
                .put("enum", PacketDrop.TOO_BIG)
                .toString();
        assertEquals(
                "{\"n\":42,\"big\":281474976710655,\"t\":true,\"f\":false,\"none\":null,\"s\":\"x\","
                        + "\"enum\":\"TOO_BIG\"}",
                json);
    }

    @Test
    void objectsAndArraysNest() {
        var child = Json.object().put("name", "net").put("ts", List.of("10.1.0.0/16", "fd00::/64"));
        var sa = Json.object().put("name", "gw").put("children", Json.array(List.of(child, Json.object())));
        assertEquals(
                "[{\"name\":\"gw\",\"children\":[{\"name\":\"net\",\"ts\":[\"10.1.0.0/16\",\"fd00::/64\"]},{}]}]",
                Json.array().add(sa).toString());
        assertEquals(
                "[[1,[2,[]]]]",
                Json.array().add(List.of(1, Arrays.asList(2, List.of()))).toString());
    }

    @Test
    void emptyContainersAndRepeatedRenderingAreStable() {
        var empty = Json.object();
        assertEquals("{}", empty.toString());
        assertEquals("{}", empty.toString(), "rendering does not close the builder");
        assertEquals("[]", Json.array().toString());
        assertEquals("[]", Json.array(List.of()).toString());
        var growing = Json.array().add(1);
        assertEquals("[1]", growing.toString());
        assertEquals("[1,2]", growing.add(2).toString());
    }

    @Test
    void anErrorReplyCarriesItsMessageAsJson() {
        assertEquals(
                new Reply(Reply.USAGE, "error: no \"x\"", "{\"error\":\"no \\\"x\\\"\"}"),
                Reply.error(Reply.USAGE, "no \"x\""));
    }
}
