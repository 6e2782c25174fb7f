package net.natgw.natt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemoteEndpointTest {
    @Test
    void onlyAuthenticatedPacketsMoveTheEndpointAndEachMoveIsReported() {
        var changes = new ArrayList<EndpointChange>();
        var a = new InetSocketAddress("203.0.113.1", 4500);
        var b = new InetSocketAddress("203.0.113.1", 41889);
        var endpoint = new RemoteEndpoint(a, changes::add);
        assertFalse(endpoint.authenticatedFrom(new InetSocketAddress("203.0.113.1", 4500)));
        assertTrue(endpoint.authenticatedFrom(b));
        assertEquals(b, endpoint.current());
        assertEquals(List.of(new EndpointChange(a, b)), changes);
    }
}
