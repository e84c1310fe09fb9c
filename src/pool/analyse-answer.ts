/**
 * Reads one upstream's response for the merge (SPEC §3): usable or not, and
 * if usable, its CNAME chain, the records that answer the question and the
 * SOA proving a negative answer.
 */
import type { DnsMessage, DnsRecord } from '../dns/codec';
import { rcodeName } from '../dns/rcodes';
import { canonicalName } from './canonical-data';
import type {
  Divergence,
  DivergenceReason,
  DroppedRecord,
  MergeInput,
  MergeQuestion,
  NegativeAnswer,
} from './merged-answer';
import { clampTtl, recordTtl } from './record-ttl';
import { type AnswerRecord, dropReason, walkChain } from './walk-chain';

/** An answer that may be merged, before it is compared with the reference answer. */
export interface UsableAnswer {
  upstream: string;
  rcode: string;
  chain: string[];
  records: AnswerRecord[];
  negative: NegativeAnswer | null;
}

export type Analysis =
  | { usable: true; answer: UsableAnswer; dropped: DroppedRecord[] }
  | { usable: false; divergence: Divergence };

/** RCODE bits of the header flags (RFC 1035 §4.1.1). */
const RCODE_MASK = 0x000f;
/** TC bit in the header flags (RFC 1035 §4.1.1). */
const TRUNCATED_FLAG = 0x0200;

/** Decides whether one upstream's response is usable and which of its records answer the question. */
export function analyseAnswer(question: MergeQuestion, input: MergeInput): Analysis {
  const { upstream, response } = input;
  const flags = response.flags ?? 0;
  const rcode = rcodeName(flags & RCODE_MASK);
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

function unusable(upstream: string, reason: DivergenceReason, chain?: string[]): Analysis {
  return {
    usable: false,
    divergence: chain === undefined ? { upstream, reason } : { upstream, reason, chain },
  };
}
