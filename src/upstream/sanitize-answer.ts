/**
 * The one sanitizer every upstream answer passes before it can win the race,
 * be cached or be merged (docs/architecture.md §2, §3, §5): after it, the rest of the code
 * trusts the answer. It runs in the exchange, right after the response was
 * matched to its query, so the first answer a client gets, every cache layer
 * and the pool all see exactly the same records.
 *
 * It keeps only records of the question's class on the question's name and
 * its CNAME chain (case-insensitive), applies the TTL rules once (RFC 2181 §8,
 * the docs/architecture.md §5 caps, RFC 2308 §5 for negative answers, all in dns/record-ttl.ts),
 * and keeps in authority only the SOA that proves a negative answer (at its
 * negative TTL) and the DNSSEC records that go with it. Additional records
 * are never passed on.
 *
 * Failures, which never win and count against the upstream's health:
 * - `ambiguous`: two different CNAMEs for one owner on the chain;
 * - `malformed`: a CNAME loop, a chain longer than MAX_CHAIN_LINKS, a record
 *   of another class in the answer section, NXDOMAIN that carries the data;
 * - `rcode`: an RCODE other than NOERROR/NXDOMAIN, NXDOMAIN without an SOA,
 *   NOERROR with neither a record for the question nor an SOA.
 */
import { type DnsMessage, type DnsQuestion, type DnsRecord, FLAGS } from '../dns/codec';
import { rcodeName } from '../dns/rcodes';
import { negativeTtlOf, ttlOf } from '../dns/record-ttl';
import { canonicalName } from '../pool/canonical-data';
import { type AnswerRecord, type DropReason, dropReason, walkChain } from './answer-chain';
import { responseCode } from './response-code';
import type { UpstreamFailure } from './types';

export type { DropReason } from './answer-chain';

type SoaRecord = Extract<DnsRecord, { type: 'SOA' }>;

/** A record the sanitizer left out of an otherwise usable answer, for observability. */
export interface DroppedRecord {
  readonly name: string;
  readonly type: string;
  readonly reason: DropReason;
}

/** What is left of an upstream answer once it is clean. */
export interface CleanAnswer {
  readonly rcode: 'NOERROR' | 'NXDOMAIN';
  /** The question's name and the names its CNAME chain leads to, canonical form. */
  readonly chain: readonly string[];
  /** The negative answer's SOA, its TTL already the negative TTL; null for a positive answer. */
  readonly negative: { readonly soa: SoaRecord; readonly ttl: number } | null;
  readonly dropped: readonly DroppedRecord[];
}

export type SanitizeResult =
  | { readonly ok: true; readonly message: DnsMessage; readonly answer: CleanAnswer }
  | { readonly ok: false; readonly failure: UpstreamFailure };

/** DNSSEC records that prove a negative answer (RFC 4035 §3.1.3) travel with its SOA. */
const DENIAL_TYPES: ReadonlySet<string> = new Set(['NSEC', 'NSEC3', 'RRSIG']);
/** RFC 4035 §3.2.2: CD in a response is the client's own bit, set by whoever answers it. */
const NOT_FROM_UPSTREAM = FLAGS.CHECKING_DISABLED;
const DEFAULT_CLASS = 'IN';

/** Sanitizes a response already matched to `question` (check-response.ts) and not truncated. */
export function sanitizeAnswer(question: DnsQuestion, response: DnsMessage): SanitizeResult {
  const code = rcodeName(responseCode(response));
  if (code !== 'NOERROR' && code !== 'NXDOMAIN') {
    return fail({ kind: 'rcode', rcode: code, message: `upstream answered ${code}` });
  }
  const qclass = question.class ?? DEFAULT_CLASS;
  const qtype = String(question.type).toUpperCase();
  const answers = (response.answers ?? []).filter(isAnswerRecord);
  const foreignClass = answers.find((r) => (r.class ?? DEFAULT_CLASS) !== qclass);
  if (foreignClass) {
    return malformed(
      `${foreignClass.name} ${foreignClass.class} ${foreignClass.type} in an answer to class ${qclass}`,
    );
  }

  const walk = walkChain(canonicalName(question.name), qtype, answers);
  if ('fault' in walk) {
    const at = walk.chain[walk.chain.length - 1] ?? question.name;
    if (walk.fault === 'ambiguous') {
      return fail({ kind: 'ambiguous', message: `two different CNAMEs for ${at}` });
    }
    return malformed(
      walk.fault === 'loop'
        ? `CNAME loop back to ${at}`
        : `CNAME chain longer than the limit at ${at}`,
    );
  }
  const { chain } = walk;

  const records: AnswerRecord[] = [];
  const dropped: DroppedRecord[] = [];
  for (const record of answers) {
    const reason = dropReason(record, qtype, chain);
    if (reason === null) records.push({ ...record, ttl: ttlOf(record) } as AnswerRecord);
    else dropped.push({ name: record.name, type: record.type, reason });
  }

  const finalOwner = chain[chain.length - 1] ?? canonicalName(question.name);
  const hasData = records.some(
    (r) => canonicalName(r.name) === finalOwner && (qtype === 'ANY' || r.type === qtype),
  );
  if (hasData && code === 'NXDOMAIN') return malformed('NXDOMAIN with records for the name');
  const soa = hasData ? undefined : negativeSoa(response, finalOwner, qclass);
  if (!hasData && soa === undefined && (code === 'NXDOMAIN' || records.length === 0)) {
    return fail({
      kind: 'rcode',
      rcode: code,
      message:
        code === 'NOERROR'
          ? 'NOERROR without an answer for the question and without an SOA'
          : 'NXDOMAIN without an SOA',
    });
  }

  // A dangling chain (CNAMEs, no data, no SOA) is what an authority says about
  // an out-of-zone target: positive, served as is.
  const negative =
    soa === undefined
      ? null
      : { soa: { ...soa, ttl: negativeTtlOf(soa) }, ttl: negativeTtlOf(soa) };
  const authorities: DnsRecord[] =
    negative === null
      ? []
      : [negative.soa, ...denialRecords(response, negative.soa, qclass, negative.ttl)];
  return {
    ok: true,
    message: {
      id: response.id ?? 0,
      type: 'response',
      flags: (response.flags ?? 0) & ~NOT_FROM_UPSTREAM,
      questions: response.questions ?? [],
      answers: records,
      authorities,
      additionals: [],
    },
    answer: { rcode: code, chain, negative, dropped },
  };
}

/**
 * The SOA proving a negative answer: in authority, of the question's class,
 * owned by the final name or one of its ancestors (its zone apex, RFC 2308 §2).
 */
function negativeSoa(
  response: DnsMessage,
  finalOwner: string,
  qclass: string,
): SoaRecord | undefined {
  for (const record of response.authorities ?? []) {
    if (record.type !== 'SOA' || (record.class ?? DEFAULT_CLASS) !== qclass) continue;
    if (isAtOrBelow(finalOwner, canonicalName(record.name))) return record;
  }
  return undefined;
}

/** NSEC/NSEC3 and their signatures within the SOA's zone, never living longer than the negative answer. */
function denialRecords(
  response: DnsMessage,
  soa: SoaRecord,
  qclass: string,
  ttl: number,
): DnsRecord[] {
  const zone = canonicalName(soa.name);
  return (response.authorities ?? []).flatMap((record) =>
    DENIAL_TYPES.has(record.type) &&
    record.type !== 'OPT' &&
    (record.class ?? DEFAULT_CLASS) === qclass &&
    isAtOrBelow(canonicalName(record.name), zone)
      ? [{ ...record, ttl: Math.min(ttlOf(record), ttl) } as DnsRecord]
      : [],
  );
}

function isAnswerRecord(record: DnsRecord): record is AnswerRecord {
  return record.type !== 'OPT';
}

/** Both names canonical; the root ('.') is everyone's ancestor. */
function isAtOrBelow(name: string, ancestor: string): boolean {
  return ancestor === '.' || name === ancestor || name.endsWith(`.${ancestor}`);
}

function malformed(message: string): SanitizeResult {
  return fail({ kind: 'malformed', message });
}

function fail(failure: UpstreamFailure): SanitizeResult {
  return { ok: false, failure };
}
