/**
 * Merges the answers several upstreams gave to one question into one answer
 * (docs/architecture.md §3): one record per distinct data, the minimum TTL, the upstreams that
 * returned each record, and only answers that agree on the CNAME chain.
 *
 * Pure: no I/O, no clock. Inputs come in arrival order, winner first, and
 * are already sanitized (src/upstream/sanitize-answer.ts): their records are
 * on the chain, of the question's class, with bounded TTLs. The merge only
 * decides which of them agree. The types live in merged-answer.ts and are
 * re-exported here for callers.
 */
import type { DnsRecord } from '../dns/codec';
import { storedTtl } from '../dns/record-ttl';
import type { AnswerRecord } from '../upstream/answer-chain';
import { canonicalName, recordKey } from './canonical-data';
import type {
  Divergence,
  DivergenceReason,
  DroppedRecord,
  MergedAnswer,
  MergeInput,
  MergeQuestion,
  NegativeAnswer,
  PoolRecord,
} from './merged-answer';

/** A sanitized answer as the merge reads it. */
interface UsableAnswer {
  upstream: string;
  rcode: string;
  chain: readonly string[];
  records: AnswerRecord[];
  negative: NegativeAnswer | null;
}

export type * from './merged-answer';

/**
 * Merges upstream answers to `question` (docs/architecture.md §3).
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
  const dropped: DroppedRecord[] = inputs.flatMap(({ upstream, answer }) =>
    answer.dropped.map((record) => ({ upstream, ...record })),
  );
  const usable: UsableAnswer[] = inputs.map(({ upstream, response, answer }) => ({
    upstream,
    rcode: answer.rcode,
    chain: answer.chain,
    records: (response.answers ?? []).filter(isAnswerRecord),
    negative: answer.negative,
  }));

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
    else divergences.push({ upstream: answer.upstream, reason, chain: [...answer.chain] });
  }
  const contributors = unique(contributing.map((answer) => answer.upstream));
  const records = mergeRecords(reference.chain, contributing);
  const negative = mergeNegatives(reference, contributing);
  const ttls = records.map((record) => record.ttl);
  if (negative !== null) ttls.push(negative.ttl);

  return {
    question,
    rcode: reference.rcode,
    chain: [...reference.chain],
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
      const ttl = storedTtl(record);
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

function sameChain(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => name === b[index]);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function isAnswerRecord(record: DnsRecord): record is AnswerRecord {
  return record.type !== 'OPT';
}
