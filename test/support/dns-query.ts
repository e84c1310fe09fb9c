/**
 * Small builders for tests in workerd: wire-format queries and loopback
 * Upstream values, so each test states only what it is about.
 */
import { type DnsMessage, type DnsQuestion, encodeMessage } from '../../src/dns/codec';
import { parseUpstreams } from '../../src/upstream/parse-upstreams';
import type { Upstream } from '../../src/upstream/types';

/** RD, as a stub resolver sends it (RFC 1035 §4.1.1). */
const FLAG_RD = 0x0100;

/** A wire-format query for one question. */
export function buildQuery(name: string, type: DnsQuestion['type'] = 'A', id = 0): Uint8Array {
  return encodeMessage({
    id,
    type: 'query',
    flags: FLAG_RD,
    questions: [{ name, type, class: 'IN' }],
  });
}

/** One Upstream parsed from a loopback URL (or `name=url`), as the worker would. */
export function loopbackUpstream(entry: string): Upstream {
  const [upstream] = parseUpstreams(entry, { allowLoopback: true });
  if (upstream === undefined) throw new Error(`no upstream in ${entry}`);
  return upstream;
}

/** A signal that never fires, for exchanges that are expected to finish on their own. */
export function noDeadline(): AbortSignal {
  return new AbortController().signal;
}

/** A label no other test uses, so stats filtered by it see only this test's queries. */
export function uniqueLabel(): string {
  return `t${crypto.randomUUID().replaceAll('-', '')}`;
}

/** The RDATA of every answer record (OPT, which has none, cannot appear in answers). */
export function answerData(message: DnsMessage): unknown[] {
  return (message.answers ?? []).map((rr) => ('data' in rr ? rr.data : undefined));
}
