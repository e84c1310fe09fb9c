/**
 * Questions answered here without asking any upstream.
 */
import type { DnsMessage } from './codec';
import type { DnsQuery } from './dns-query';

/**
 * TTL of the RFC 8482 answer to ANY. The RFC leaves it open; this is what
 * Cloudflare's resolver sends, so clients see the same answer as from 1.1.1.1.
 */
export const ANY_ANSWER_TTL = 3789;

/**
 * The local answer for `query`, or null when it must be resolved upstream.
 * ANY gets the minimal RFC 8482 §4.2 answer (one synthesized HINFO record with
 * CPU "RFC8482" and an empty OS) instead of a costly, incomplete fan-out.
 */
export function localAnswer(query: DnsQuery): DnsMessage | null {
  if (query.type !== 'ANY') return null;
  return {
    type: 'response',
    flags: 0,
    answers: [
      {
        type: 'HINFO',
        name: query.questionName ?? query.name,
        class: 'IN',
        ttl: ANY_ANSWER_TTL,
        data: { cpu: 'RFC8482', os: '' },
      },
    ],
  };
}
