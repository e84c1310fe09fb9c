/**
 * Plain DnsMessage builders for pool tests: responses are written as objects,
 * exactly the shape the codec decodes, with no wire round trip in between.
 */
import type { DnsMessage, DnsQuestion, DnsRecord } from '../../src/dns/codec';

/** Header bits of an ordinary recursive response: RD and RA set (RFC 1035 §4.1.1). */
const RECURSIVE_RESPONSE_FLAGS = 0x0180;
export const TRUNCATED_FLAG = 0x0200;
export const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export const question = (name: string, type = 'A') => ({ name, type, class: 'IN' });

export function a(name: string, address: string, ttl = 300): DnsRecord {
  return { name, type: 'A', class: 'IN', ttl, data: address };
}

export function aaaa(name: string, address: string, ttl = 300): DnsRecord {
  return { name, type: 'AAAA', class: 'IN', ttl, data: address };
}

export function cname(name: string, target: string, ttl = 300): DnsRecord {
  return { name, type: 'CNAME', class: 'IN', ttl, data: target };
}

export function soa(zone: string, ttl: number, minimum: number): DnsRecord {
  return {
    name: zone,
    type: 'SOA',
    class: 'IN',
    ttl,
    data: {
      mname: `ns1.${zone}`,
      rname: `hostmaster.${zone}`,
      serial: 2024061101,
      refresh: 7200,
      retry: 3600,
      expire: 1209600,
      minimum,
    },
  };
}

export function response(
  parts: {
    rcode?: number;
    flags?: number;
    question?: { name: string; type: DnsQuestion['type'] };
    answers?: DnsRecord[];
    authorities?: DnsRecord[];
    additionals?: DnsRecord[];
  } = {},
): DnsMessage {
  const message: DnsMessage = {
    id: 0,
    type: 'response',
    flags: (parts.flags ?? RECURSIVE_RESPONSE_FLAGS) | (parts.rcode ?? RCODE.NOERROR),
    answers: parts.answers ?? [],
    authorities: parts.authorities ?? [],
    additionals: parts.additionals ?? [],
  };
  if (parts.question !== undefined) {
    message.questions = [{ name: parts.question.name, type: parts.question.type, class: 'IN' }];
  }
  return message;
}
