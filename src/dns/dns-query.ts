/**
 * A validated client query: what the routes hand to the resolver and what the
 * response builders need to answer the client exactly as it asked.
 */

/** The EDNS parameters a client sent (RFC 6891 §6.1.2). */
export interface ClientEdns {
  /** The client's advertised UDP payload size, at least 512 (RFC 6891 §6.2.5). */
  udpPayloadSize: number;
  /** The query carried an EDNS Padding option, so the response is padded too (RFC 8467 §4.1). */
  padded: boolean;
}

export interface DnsQuery {
  /** Client's query ID, echoed in every response (RFC 8484 §4.1 recommends 0; any value is echoed). */
  id: number;
  /** Lower-cased (ASCII only, RFC 4343 §3), no trailing dot; the root is '.'. */
  name: string;
  /** dns-packet type name, e.g. 'A', 'AAAA', or 'UNKNOWN_65' for HTTPS as dns-packet names it. */
  type: string;
  /** dns-packet class name, e.g. 'IN'. */
  qclass: string;
  recursionDesired: boolean;
  /** CD bit, forwarded (RFC 4035 §3.2.2). */
  checkingDisabled: boolean;
  /** DO bit, forwarded (RFC 3225 §3). */
  dnssecOk: boolean;
  /** null when the client sent no OPT record; then no EDNS option can be sent back. */
  edns: null | ClientEdns;
  /**
   * What to send upstream: ID 0, RD set, the same question (lower-cased name),
   * CD/DO kept, a fresh OPT (no ECS, no padding, no cookies). Transports set
   * their own ID.
   */
  upstreamQuery: Uint8Array;
  /**
   * The question name exactly as the client spelled it (case kept), echoed in
   * responses because some clients check it (RFC 4343 §4.1, "0x20" case
   * randomisation). Absent: `name` is echoed.
   */
  questionName?: string;
}
