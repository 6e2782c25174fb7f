package net.natgw.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The daemon's side of usage errors: a command it cannot parse is answered with exit code 2
 * before the gateway is asked anything (so these run without one).
 */
class CommandsTest {
    private final Commands commands = new Commands(null);

    @Test
    void noCommandIsAUsageError() {
        assertEquals(Reply.error(Reply.USAGE, "no command"), commands.run(List.of()));
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertEquals(Reply.error(Reply.USAGE, "unknown command 'frobnicate'"), commands.run(List.of("frobnicate")));
    }

    @Test
    void initiateWithoutChildOrIkeIsAUsageError() {
        var usage = Reply.error(Reply.USAGE, "initiate takes --child NAME or --ike NAME");
        assertEquals(usage, commands.run(List.of("initiate")));
        assertEquals(usage, commands.run(List.of("initiate", "--child")));
        assertEquals(usage, commands.run(List.of("initiate", "--peer", "x")));
        assertEquals(usage, commands.run(List.of("initiate", "--child", "a", "b")));
    }

    @Test
    void terminateWithoutIkeOrChildIsAUsageError() {
        var usage = Reply.error(Reply.USAGE, "terminate takes --ike NAME or --child NAME");
        assertEquals(usage, commands.run(List.of("terminate")));
        assertEquals(usage, commands.run(List.of("terminate", "net")));
    }
}
