import { expect } from 'vitest';
import { type DnsMessage, decodeMessage, headerRcode } from '../../src/dns/codec';
import { rcodeName } from '../../src/dns/rcodes';

/** The RCODE name of a decoded message (dns-packet keeps it in the flags). */
export function rcodeOf(message: DnsMessage): string {
  return rcodeName(headerRcode(message));
}

/** Asserts a 200 application/dns-message response and decodes it. */
export async function wireAnswer(response: Response): Promise<DnsMessage> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/dns-message');
  return decodeMessage(new Uint8Array(await response.arrayBuffer()));
}

/** The data of the A/AAAA records in the answer, in served order. */
export function addressesOf(message: DnsMessage): string[] {
  return (message.answers ?? []).flatMap((r) =>
    (r.type === 'A' || r.type === 'AAAA') && typeof r.data === 'string' ? [r.data] : [],
  );
}
