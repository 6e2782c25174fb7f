/**
 * NAT traversal shared by IKEv1 and IKEv2: NAT-D (RFC 3947, RFC 7296 §2.23), RFC 3948 framing
 * on port 4500, keepalives, and the UDP and raw-ESP transports. Built in issue 5.
 */
package net.natgw.natt;
