/**
 * Merges the answers several upstreams gave to one question into one answer
 * (SPEC §3): one record per distinct data, the minimum TTL, the upstreams that
 * returned each record, and only answers that agree on the CNAME chain.
 *
 * Pure: no I/O, no clock. Inputs come in arrival order, winner first.
 */
import type { DnsMessage, DnsRecord } from '../dns/codec';
import { canonicalName, recordKey } from './canonical-data';

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

type AnswerRecord = Exclude<DnsRecord, { type: 'OPT' }>;

interface UsableAnswer {
  upstream: string;
  rcode: string;
  chain: string[];
  records: AnswerRecord[];
  negative: NegativeAnswer | null;
}

type Analysis =
  | { usable: true; answer: UsableAnswer; dropped: DroppedRecord[] }
  | { usable: false; divergence: Divergence };

/** RCODE names for the 4 header bits (RFC 1035 §4.1.1, RFC 2136 §2.2), as dns-packet spells them. */
const RCODE_NAMES: readonly string[] = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
];
const RCODE_MASK = 0x000f;
/** TC bit in the header flags (RFC 1035 §4.1.1). */
const TRUNCATED_FLAG = 0x0200;
/** RFC 2181 §8: a TTL with the top bit set is treated as zero. */
const MAX_TTL_SECONDS = 0x7fffffff;
/** Chains are not followed for these: the CNAME or every record at the name is the answer. */
const UNFOLLOWED_TYPES: ReadonlySet<string> = new Set(['CNAME', 'ANY']);

/**
 * Merges upstream answers to `question` (SPEC §3).
 *
 * The reference answer is the first usable one in arrival order, except that
 * positive answers beat negative ones: when upstreams disagree on whether the
 * name has data, the first positive answer is the reference and negative
 * answers are recorded as `negative-overruled`. A negative answer carries no
 * records to merge, and one upstream's stale negative cache or block list must
 * not hide addresses others return; a pool that does hold records still only
 * serves them within their TTL.
 *
 * Only answers with exactly the reference CNAME chain are merged (the same
 * final owner through different intermediate names would put two CNAMEs on
 * one owner); the rest are recorded as divergences, never mixed in.
 */
export function mergeAnswers(question: MergeQuestion, inputs: readonly MergeInput[]): MergedAnswer {
  const divergences: Divergence[] = [];
  const dropped: DroppedRecord[] = [];
  const usable: UsableAnswer[] = [];
  for (const input of inputs) {
    const analysis = analyseAnswer(question, input);
    if (analysis.usable) {
      usable.push(analysis.answer);
      dropped.push(...analysis.dropped);
    } else {
      divergences.push(analysis.divergence);
    }
  }

  const reference = usable.find((answer) => answer.negative === null) ?? usable[0];
  if (reference === undefined) {
    return {
      question,
      rcode: 'SERVFAIL',
      chain: [canonicalName(question.name)],
      records: [],
      ttl: 0,
      negative: null,
      divergences,
      dropped: [],
      contributors: [],
    };
  }

  const contributing: UsableAnswer[] = [];
  for (const answer of usable) {
    const reason = disagreement(reference, answer);
    if (reason === null) contributing.push(answer);
    else divergences.push({ upstream: answer.upstream, reason, chain: answer.chain });
  }
  const contributors = unique(contributing.map((answer) => answer.upstream));
  const records = mergeRecords(reference.chain, contributing);
  const negative = mergeNegatives(reference, contributing);
  const ttls = records.map((record) => record.ttl);
  if (negative !== null) ttls.push(negative.ttl);

  return {
    question,
    rcode: reference.rcode,
    chain: reference.chain,
    records,
    ttl: ttls.length === 0 ? 0 : Math.min(...ttls),
    negative,
    divergences,
    dropped: dropped.filter((record) => contributors.includes(record.upstream)),
    contributors,
  };
}

function disagreement(reference: UsableAnswer, answer: UsableAnswer): DivergenceReason | null {
  if (reference.negative === null && answer.negative !== null) return 'negative-overruled';
  if (!sameChain(reference.chain, answer.chain)) return 'chain-differs';
  if (reference.rcode !== answer.rcode) return 'rcode-differs';
  return null;
}

/** Dedups by key; a record keeps its first-seen data, the minimum TTL and every source. */
function mergeRecords(chain: readonly string[], answers: readonly UsableAnswer[]): PoolRecord[] {
  const byKey = new Map<string, PoolRecord>();
  for (const answer of answers) {
    for (const record of answer.records) {
      const key = recordKey(record.name, record.type, record.data);
      const ttl = recordTtl(record);
      const existing = byKey.get(key);
      if (existing === undefined) {
        byKey.set(key, {
          name: canonicalName(record.name),
          type: record.type,
          ttl,
          data: record.data,
          key,
          sources: [answer.upstream],
        });
        continue;
      }
      existing.ttl = Math.min(existing.ttl, ttl);
      if (!existing.sources.includes(answer.upstream)) existing.sources.push(answer.upstream);
    }
  }
  // Array.prototype.sort is stable, so first-seen order survives within an owner.
  return [...byKey.values()].sort((a, b) => chain.indexOf(a.name) - chain.indexOf(b.name));
}

function mergeNegatives(
  reference: UsableAnswer,
  answers: readonly UsableAnswer[],
): NegativeAnswer | null {
  if (reference.negative === null) return null;
  let ttl = reference.negative.ttl;
  for (const answer of answers) {
    if (answer.negative !== null) ttl = Math.min(ttl, answer.negative.ttl);
  }
  return { soa: reference.negative.soa, ttl };
}

/** Decides whether one upstream's response is usable and which of its records answer the question. */
function analyseAnswer(question: MergeQuestion, input: MergeInput): Analysis {
  const { upstream, response } = input;
  const flags = response.flags ?? 0;
  const rcode = rcodeName(flags);
  if ((flags & TRUNCATED_FLAG) !== 0) return unusable(upstream, 'truncated');
  if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') return unusable(upstream, 'unusable-rcode');
  if (!answersQuestion(question, response)) return unusable(upstream, 'question-mismatch');

  const qtype = question.type.toUpperCase();
  const answers = (response.answers ?? []).filter(isAnswerRecord);
  const walk = walkChain(canonicalName(question.name), qtype, answers);
  if ('reason' in walk) return unusable(upstream, walk.reason, walk.chain);
  const { chain } = walk;

  const records: AnswerRecord[] = [];
  const dropped: DroppedRecord[] = [];
  for (const record of answers) {
    const reason = dropReason(record, question, chain);
    if (reason === null) records.push(record);
    else dropped.push({ upstream, name: record.name, type: record.type, reason });
  }

  const finalOwner = chain[chain.length - 1];
  const hasData = records.some(
    (record) =>
      canonicalName(record.name) === finalOwner && (qtype === 'ANY' || record.type === qtype),
  );
  if (hasData && rcode === 'NOERROR') {
    return { usable: true, answer: { upstream, rcode, chain, records, negative: null }, dropped };
  }
  if (hasData) return unusable(upstream, 'contradictory-nxdomain', chain);

  const negative = negativeAnswer(response, finalOwner ?? canonicalName(question.name));
  if (negative === null) return unusable(upstream, 'no-answer', chain);
  return { usable: true, answer: { upstream, rcode, chain, records, negative }, dropped };
}

/**
 * Follows CNAMEs from the question's name. One owner with two different
 * targets makes the whole chain ambiguous, so the answer cannot be trusted.
 */
function walkChain(
  qname: string,
  qtype: string,
  answers: readonly AnswerRecord[],
): { chain: string[] } | { reason: DivergenceReason; chain: string[] } {
  const chain = [qname];
  if (UNFOLLOWED_TYPES.has(qtype)) return { chain };
  const targets = new Map<string, Set<string>>();
  for (const record of answers) {
    if (record.type !== 'CNAME') continue;
    const owner = canonicalName(record.name);
    const ownerTargets = targets.get(owner) ?? new Set<string>();
    ownerTargets.add(canonicalName(record.data));
    targets.set(owner, ownerTargets);
  }
  for (let owner = qname; ; ) {
    const ownerTargets = targets.get(owner);
    if (ownerTargets === undefined) return { chain };
    if (ownerTargets.size > 1) return { reason: 'ambiguous-cname', chain };
    const [target] = ownerTargets;
    if (target === undefined) return { chain };
    if (chain.includes(target)) return { reason: 'cname-loop', chain };
    chain.push(target);
    owner = target;
  }
}

/** Null when the record belongs in the answer; otherwise why it is dropped. */
function dropReason(
  record: AnswerRecord,
  question: MergeQuestion,
  chain: readonly string[],
): DropReason | null {
  if (record.class !== undefined && record.class !== question.class) return 'other-class';
  const index = chain.indexOf(canonicalName(record.name));
  if (index < 0) return 'foreign-owner';
  const isLink = index < chain.length - 1;
  const qtype = question.type.toUpperCase();
  if (!isLink && qtype === 'ANY') return null;
  const expected = isLink ? 'CNAME' : qtype;
  if (record.type === expected) return null;
  // Signatures stay with the RRset they cover; others at the same owner do not answer.
  if (record.type === 'RRSIG' && record.data.typeCovered.toUpperCase() === expected) return null;
  return isLink ? 'data-beside-cname' : 'other-type';
}

/**
 * The SOA proving a negative answer: in the authority section, owned by the
 * final name or one of its ancestors (its zone apex). Negative TTL is
 * min(SOA TTL, SOA MINIMUM) (RFC 2308 §5); a missing field counts as 0 so the
 * TTL is never raised by a guess.
 */
function negativeAnswer(response: DnsMessage, finalOwner: string): NegativeAnswer | null {
  for (const record of response.authorities ?? []) {
    if (record.type !== 'SOA') continue;
    if (!isAtOrBelow(finalOwner, canonicalName(record.name))) continue;
    const ttl = Math.min(recordTtl(record), clampTtl(record.data.minimum ?? 0));
    return { soa: record, ttl };
  }
  return null;
}

function answersQuestion(question: MergeQuestion, response: DnsMessage): boolean {
  const questions = response.questions ?? [];
  // A response built without its question (tests, synthetic answers) is taken at its word.
  if (questions.length === 0) return true;
  if (questions.length !== 1) return false;
  const [asked] = questions;
  return (
    asked !== undefined &&
    canonicalName(asked.name) === canonicalName(question.name) &&
    asked.type.toUpperCase() === question.type.toUpperCase() &&
    (asked.class === undefined || asked.class === question.class)
  );
}

function isAnswerRecord(record: DnsRecord): record is AnswerRecord {
  return record.type !== 'OPT';
}

function isAtOrBelow(name: string, ancestor: string): boolean {
  return ancestor === '.' || name === ancestor || name.endsWith(`.${ancestor}`);
}

function recordTtl(record: AnswerRecord): number {
  return clampTtl(record.ttl ?? 0);
}

function clampTtl(ttl: number): number {
  if (!Number.isFinite(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) return 0;
  return Math.floor(ttl);
}

function rcodeName(flags: number): string {
  const code = flags & RCODE_MASK;
  return RCODE_NAMES[code] ?? `RCODE_${code}`;
}

function sameChain(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => name === b[index]);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function unusable(upstream: string, reason: DivergenceReason, chain?: string[]): Analysis {
  return {
    usable: false,
    divergence: chain === undefined ? { upstream, reason } : { upstream, reason, chain },
  };
}
