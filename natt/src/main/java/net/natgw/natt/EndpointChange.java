package net.natgw.natt;

import java.net.InetSocketAddress;

/** The peer's address or port as our socket sees it changed: a NAT mapping moved (rebinding). */
public record EndpointChange(InetSocketAddress from, InetSocketAddress to) {}
