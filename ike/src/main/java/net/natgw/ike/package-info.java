/**
 * IKEv2 (RFC 7296) and IKEv1 (RFC 2409 with RFC 3947): message codecs, key derivation,
 * authentication, exchanges. Built in issues 6 and 8.
 */
package net.natgw.ike;
