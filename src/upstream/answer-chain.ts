/**
 * The CNAME chain of one upstream answer and which of its records belong to
 * it (docs/architecture.md §3): records answer the question only at an owner on the chain,
 * links with their CNAME, the final owner with the asked type. Used by the
 * sanitizer only (sanitize-answer.ts), so there is one chain rule.
 */
import type { DnsRecord } from '../dns/codec';
import { canonicalName } from '../pool/canonical-data';

/** A record of an answer or authority section: anything but the OPT pseudo-record. */
export type AnswerRecord = Exclude<DnsRecord, { type: 'OPT' }>;

/**
 * CNAME links followed from the question's name. Real chains (CDNs) have two
 * to four; eight is generous, and a longer chain is either a loop in disguise
 * or an attempt to make every resolver in the path do more work.
 */
export const MAX_CHAIN_LINKS = 8;

/** Chains are not followed for these: the CNAME or every record at the name is the answer. */
const UNFOLLOWED_TYPES: ReadonlySet<string> = new Set(['CNAME', 'ANY']);

/** Why a chain cannot be trusted: one owner with two targets, a loop, too many links. */
export type ChainFault = 'ambiguous' | 'loop' | 'too-long';

/** Why a single record was left out of an otherwise usable answer. */
export type DropReason =
  /** Owner is neither the question's name nor on its CNAME chain. */
  | 'foreign-owner'
  /** Non-CNAME data at an owner that has a CNAME (RFC 1034 §3.6.2). */
  | 'data-beside-cname'
  /** Right owner, but a type that does not answer the question. */
  | 'other-type';

/**
 * Follows CNAMEs from the question's name (canonical form). One owner with
 * two different targets makes the whole chain ambiguous: which host the
 * client would reach depends on which record it reads first.
 */
export function walkChain(
  qname: string,
  qtype: string,
  answers: readonly AnswerRecord[],
): { chain: string[] } | { fault: ChainFault; chain: string[] } {
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
    if (ownerTargets.size > 1) return { fault: 'ambiguous', chain };
    const [target] = ownerTargets;
    if (target === undefined) return { chain };
    if (chain.includes(target)) return { fault: 'loop', chain };
    if (chain.length - 1 >= MAX_CHAIN_LINKS) return { fault: 'too-long', chain };
    chain.push(target);
    owner = target;
  }
}

/** Null when the record belongs in the answer; otherwise why it is dropped. */
export function dropReason(
  record: AnswerRecord,
  qtype: string,
  chain: readonly string[],
): DropReason | null {
  const index = chain.indexOf(canonicalName(record.name));
  if (index < 0) return 'foreign-owner';
  const isLink = index < chain.length - 1;
  if (!isLink && qtype === 'ANY') return null;
  const expected = isLink ? 'CNAME' : qtype;
  if (record.type === expected) return null;
  // Signatures stay with the RRset they cover; others at the same owner do not answer.
  if (record.type === 'RRSIG' && record.data.typeCovered.toUpperCase() === expected) return null;
  return isLink ? 'data-beside-cname' : 'other-type';
}
