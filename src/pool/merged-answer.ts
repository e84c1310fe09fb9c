/**
 * What mergeAnswers takes and returns (SPEC §3), and why an answer or a
 * record was left out. Types only: the merge itself is in merge-answers.ts.
 */
import type { DnsMessage, DnsRecord } from '../dns/codec';

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

export interface MergeInput {
  upstream: string;
  response: DnsMessage;
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

/** Why an upstream's answer was not mixed into the merge. */
export type DivergenceReason =
  /** RCODE other than NOERROR/NXDOMAIN: a failure, never merged. */
  | 'unusable-rcode'
  /** TC=1: incomplete by definition. */
  | 'truncated'
  /** The response answers another question. */
  | 'question-mismatch'
  /** Neither records for the question nor an SOA proving their absence. */
  | 'no-answer'
  /** NXDOMAIN that still carries records for the final owner. */
  | 'contradictory-nxdomain'
  /** An owner on the chain has two different CNAME targets. */
  | 'ambiguous-cname'
  /** The CNAME chain comes back to a name already on it. */
  | 'cname-loop'
  /** A usable answer whose CNAME chain differs from the reference chain. */
  | 'chain-differs'
  /** Negative answer with the same chain but another RCODE (NXDOMAIN vs NODATA). */
  | 'rcode-differs'
  /** Negative answer while another upstream answered positively. */
  | 'negative-overruled';

export interface Divergence {
  upstream: string;
  reason: DivergenceReason;
  /** The chain this upstream's answer followed, when it got that far. */
  chain?: string[];
}

/** Why a single record was left out of an otherwise usable answer. */
export type DropReason =
  /** Owner is neither the question's name nor on its CNAME chain. */
  | 'foreign-owner'
  /** Non-CNAME data at an owner that has a CNAME (RFC 1034 §3.6.2). */
  | 'data-beside-cname'
  /** Right owner, but a type that does not answer the question. */
  | 'other-type'
  /** Class other than the question's. */
  | 'other-class';

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
