/**
 * Size limits shared by the transports.
 */

/**
 * Largest DNS message: the TCP length prefix is 16 bits (RFC 1035 §4.2.2) and
 * DoH inherits the same bound (RFC 8484 §6). A longer body is not DNS.
 */
export const MAX_DNS_MESSAGE_BYTES = 65535;
