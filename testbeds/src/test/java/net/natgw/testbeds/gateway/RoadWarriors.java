package net.natgw.testbeds.gateway;

import net.natgw.testbeds.lab.Host;

/**
 * Remote access in swanctl.conf, read alike by strongSwan and natgw: a server with the pool
 * 10.10.0.0/24 in front of its inner address, and clients that ask for any address
 * ({@code vips = 0.0.0.0}).
 */
final class RoadWarriors {
    static final String SECRET = "natgw-road-warrior-secret";

    private RoadWarriors() {}

    static String server(Host server) {
        return server(server, server.inner() + "/32");
    }

    /** The server handing out {@code localTs}: its inner address, or 0.0.0.0/0 for full tunnels. */
    static String server(Host server, String localTs) {
        return """
                connections {
                  rw {
                    version = 2
                    local_addrs = %s
                    proposals = aes128gcm16-prfsha256-x25519
                    pools = rw-pool
                    unique = never
                    local {
                      auth = psk
                      id = gw@lab.natgw.net
                    }
                    remote {
                      auth = psk
                    }
                    children {
                      net {
                        local_ts = %s
                        esp_proposals = aes128gcm16
                      }
                    }
                  }
                }
                pools {
                  rw-pool {
                    addrs = 10.10.0.0/24
                    dns = 10.9.2.53
                  }
                }
                secrets {
                  ike-rw {
                    secret = "%s"
                  }
                }
                """.formatted(server.address(), localTs, SECRET);
    }

    static String client(Host client, String name, Host server) {
        return client(client, name, server, server.inner() + "/32");
    }

    /** A client sending {@code remoteTs} through the tunnel: the server's inner address, or everything. */
    static String client(Host client, String name, Host server, String remoteTs) {
        return """
                connections {
                  rw {
                    version = 2
                    local_addrs = %s
                    remote_addrs = %s
                    vips = 0.0.0.0
                    proposals = aes128gcm16-prfsha256-x25519
                    local {
                      auth = psk
                      id = %s@lab.natgw.net
                    }
                    remote {
                      auth = psk
                      id = gw@lab.natgw.net
                    }
                    children {
                      net {
                        remote_ts = %s
                        esp_proposals = aes128gcm16
                      }
                    }
                  }
                }
                secrets {
                  ike-rw {
                    id-client = %s@lab.natgw.net
                    id-gw = gw@lab.natgw.net
                    secret = "%s"
                  }
                }
                """.formatted(client.address(), server.reachableAt(), name, remoteTs, name, SECRET);
    }
}
