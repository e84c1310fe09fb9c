/**
 * What mergeAnswers takes and returns (docs/architecture.md §3), and why an answer or a
 * record was left out. Types only: the merge itself is in merge-answers.ts.
 */
import type { DnsMessage, DnsRecord } from '../dns/codec';
import type { CleanAnswer, DropReason } from '../upstream/sanitize-answer';

export type { DropReason } from '../upstream/sanitize-answer';

/** One record of a merged answer. */
export interface PoolRecord {
  /** Owner name in canonical form (lower case, no trailing dot). */
  name: string;
  type: string;
  /** Seconds: the minimum this record was seen with across its sources. */
  ttl: number;
  /** The decoded data of the first upstream that returned it, ready to re-encode. */
  data: unknown;
  /** Dedup identity: canonical owner, type and canonical data. */
  key: string;
  /** Upstream names that returned this record, in arrival order. */
  sources: string[];
}

/**
 * One upstream's usable answer as the exchange returns it: the sanitized
 * message and what the sanitizer learnt about it (chain, negative answer).
 * The merge trusts both; it never sees a raw upstream message.
 */
export interface MergeInput {
  upstream: string;
  response: DnsMessage;
  answer: CleanAnswer;
}

export interface MergeQuestion {
  name: string;
  type: string;
  class: string;
}

/** A negative answer (RFC 2308): the SOA that proves it and how long it may be cached. */
export interface NegativeAnswer {
  soa: DnsRecord;
  /** Seconds: min(SOA TTL, SOA MINIMUM) over the contributing answers (RFC 2308 §5). */
  ttl: number;
}

/**
 * Why a usable answer was not mixed into the merge. Answers that cannot be
 * trusted at all (loops, two CNAMEs for one owner, errors) never get here:
 * the sanitizer made them failures of their upstream.
 */
export type DivergenceReason =
  /** A usable answer whose CNAME chain differs from the reference chain. */
  | 'chain-differs'
  /** Negative answer with the same chain but another RCODE (NXDOMAIN vs NODATA). */
  | 'rcode-differs'
  /** Negative answer while another upstream answered positively. */
  | 'negative-overruled';

export interface Divergence {
  upstream: string;
  reason: DivergenceReason;
  /** The chain this upstream's answer followed. */
  chain: string[];
}

export interface DroppedRecord {
  upstream: string;
  name: string;
  type: string;
  reason: DropReason;
}

export interface MergedAnswer {
  question: MergeQuestion;
  /** RCODE of the reference answer; SERVFAIL when no input was usable. */
  rcode: string;
  /** Owner names from the question's name to the final owner, canonical form. */
  chain: string[];
  /** Chain links first (in chain order), then the final owner's records; first-seen order within an owner. */
  records: PoolRecord[];
  /** Seconds: minimum TTL over the records (and the negative TTL when negative). */
  ttl: number;
  negative: NegativeAnswer | null;
  /** Upstreams whose answer was not mixed in, for observability. */
  divergences: Divergence[];
  /** Records dropped from answers that were otherwise mixed in. */
  dropped: DroppedRecord[];
  /** Upstreams whose answer was merged, in arrival order. */
  contributors: string[];
}
