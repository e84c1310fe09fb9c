/**
 * Decides whether a checked response is a usable answer (SPEC §2): only
 * usable answers may win the fan-out race and be cached; everything else
 * counts against the upstream's health.
 *
 * Usable:
 * - NOERROR with a record for the question: owned by the query name or by a
 *   name on its CNAME chain (RFC 1034 §3.6.2), of the query type or a CNAME;
 * - NOERROR NODATA or NXDOMAIN with an SOA in authority whose owner is an
 *   ancestor of a name on the chain: a negative answer that can be cached
 *   (RFC 2308 §2, §5).
 *
 * Not usable (`rcode` failure, RCODE name recorded): any other RCODE
 * (SERVFAIL, REFUSED, FORMERR, NOTIMP, …), NXDOMAIN without SOA, and NOERROR
 * with neither a matching record nor an SOA (a "referral" or an empty reply,
 * neither of which a stub resolver can use).
 */
import type { DnsMessage, DnsQuestion } from '../dns/codec';
import { rcodeName } from '../dns/rcodes';
import { comparableName, isAtOrBelow } from './dns-name';
import { NOERROR, NXDOMAIN, responseCode } from './response-code';
import type { UpstreamFailure } from './types';

/** Returns an `rcode` failure, or undefined when the response is usable. */
export function classifyAnswer(
  question: DnsQuestion,
  response: DnsMessage,
): UpstreamFailure | undefined {
  const code = responseCode(response);
  const rcode = rcodeName(code);
  if (code !== NOERROR && code !== NXDOMAIN) return unusable(rcode, `upstream answered ${rcode}`);

  const chain = cnameChain(question.name, response);
  if (code === NOERROR && hasAnswer(question, chain, response)) return undefined;
  if (hasNegativeSoa(chain, response)) return undefined;
  return unusable(
    rcode,
    code === NOERROR
      ? 'NOERROR without an answer for the question and without an SOA'
      : 'NXDOMAIN without an SOA',
  );
}

/**
 * The query name and every name it leads to through CNAMEs in the answer
 * section. Bounded by the number of answers, so a CNAME loop ends.
 */
function cnameChain(qname: string, response: DnsMessage): Set<string> {
  const chain = new Set([comparableName(qname)]);
  const answers = response.answers ?? [];
  for (let step = 0; step < answers.length; step++) {
    let grew = false;
    for (const rr of answers) {
      if (rr.type !== 'CNAME' || !chain.has(comparableName(rr.name))) continue;
      const target = comparableName(rr.data);
      if (!chain.has(target)) {
        chain.add(target);
        grew = true;
      }
    }
    if (!grew) break;
  }
  return chain;
}

function hasAnswer(question: DnsQuestion, chain: Set<string>, response: DnsMessage): boolean {
  return (response.answers ?? []).some(
    (rr) =>
      chain.has(comparableName(rr.name)) &&
      (rr.type === question.type || rr.type === 'CNAME' || isAnyQuery(question)),
  );
}

/**
 * QTYPE ANY (255) is answered by any record at the name (RFC 8482 §4.2 allows
 * a single HINFO). @types/dns-packet leaves ANY out of its type union although
 * dns-packet decodes it, hence the string comparison.
 */
function isAnyQuery(question: DnsQuestion): boolean {
  return String(question.type) === 'ANY';
}

function hasNegativeSoa(chain: Set<string>, response: DnsMessage): boolean {
  return (response.authorities ?? []).some(
    (rr) => rr.type === 'SOA' && [...chain].some((name) => isAtOrBelow(name, rr.name)),
  );
}

function unusable(rcode: string, message: string): UpstreamFailure {
  return { kind: 'rcode', message, rcode };
}
