/**
 * The CNAME chain of one upstream's answer and which of its records belong to
 * it (SPEC §3): records answer the question only at an owner on the chain,
 * links with their CNAME, the final owner with the asked type.
 */
import type { DnsRecord } from '../dns/codec';
import { canonicalName } from './canonical-data';
import type { DivergenceReason, DropReason, MergeQuestion } from './merged-answer';

/** A record of an answer or authority section: anything but the OPT pseudo-record. */
export type AnswerRecord = Exclude<DnsRecord, { type: 'OPT' }>;

/** Chains are not followed for these: the CNAME or every record at the name is the answer. */
const UNFOLLOWED_TYPES: ReadonlySet<string> = new Set(['CNAME', 'ANY']);

/**
 * Follows CNAMEs from the question's name. One owner with two different
 * targets makes the whole chain ambiguous, so the answer cannot be trusted.
 */
export function walkChain(
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
export function dropReason(
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
