/**
 * A minimal DoH client (RFC 8484 POST) for the bench and the demo: one A
 * query, the addresses in the answer, the `Server-Timing` cache status.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { decodeMessage, encodeMessage, headerRcode } from '../../src/dns/codec';
import { wallClock } from './upstream-sim';

export interface DohAnswer {
  readonly status: number;
  readonly rcode: string;
  readonly addresses: readonly string[];
  /** `miss`, `hit`, `stale`, … from `Server-Timing: cache;desc="…"`. */
  readonly cache: string;
  readonly serverTiming: string;
  /** The worker's own `total;dur` from Server-Timing, ms; NaN when absent. */
  readonly workerTotalMs: number;
  /** Every `name;dur=…` of Server-Timing (the phases, `exchange`, `total`), ms. */
  readonly timings: Readonly<Record<string, number>>;
  readonly sentAt: number;
  readonly latencyMs: number;
}

/** The RCODEs a resolver answers clients with (RFC 1035 §4.1.1). */
const RCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
};

/** A name nobody asked before, so the lookup is a miss: `<uuid>.<label>.bench.test`. */
export function uniqueName(label: string): string {
  return `${randomUUID()}.${label}.bench.test`;
}

export function queryBytes(name: string, type: 'A' | 'AAAA' = 'A'): Uint8Array<ArrayBuffer> {
  return encodeMessage({
    id: 0,
    type: 'query',
    flags: 0x0100,
    questions: [{ name, type, class: 'IN' }],
  });
}

export async function queryA(origin: string, name: string): Promise<DohAnswer> {
  const sentAt = wallClock();
  const response = await fetch(`${origin}/dns-query`, {
    method: 'POST',
    headers: {
      'content-type': 'application/dns-message',
      accept: 'application/dns-message',
      // One client address per request (RFC 2544 range): the per-client rate
      // limit (docs/architecture.md §7) is not what the bench or the demo is about.
      'cf-connecting-ip': `198.18.${randomInt(256)}.${randomInt(256)}`,
    },
    body: queryBytes(name),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const latencyMs = wallClock() - sentAt;
  const serverTiming = response.headers.get('server-timing') ?? '';
  const cache = /cache;desc="?([a-z]+)/.exec(serverTiming)?.[1] ?? '?';
  const timings = serverTimings(serverTiming);
  const workerTotalMs = timings.total ?? Number.NaN;
  if (response.status !== 200) {
    return {
      status: response.status,
      rcode: 'HTTP',
      addresses: [],
      cache,
      serverTiming,
      workerTotalMs,
      timings,
      sentAt,
      latencyMs,
    };
  }
  const message = decodeMessage(bytes);
  const addresses = (message.answers ?? []).flatMap((rr) =>
    rr.type === 'A' && typeof rr.data === 'string' ? [rr.data] : [],
  );
  return {
    status: response.status,
    rcode: RCODE_NAMES[headerRcode(message)] ?? `RCODE${headerRcode(message)}`,
    addresses,
    cache,
    serverTiming,
    workerTotalMs,
    timings,
    sentAt,
    latencyMs,
  };
}

/** `parse;dur=0.12, upstream;dur=11.00;desc="x"` -> `{ parse: 0.12, upstream: 11 }`. */
export function serverTimings(header: string): Record<string, number> {
  const timings: Record<string, number> = {};
  for (const entry of header.split(',')) {
    const match = /^\s*([\w-]+);dur=([\d.]+)/.exec(entry);
    if (match?.[1] && match[2]) timings[match[1]] = Number(match[2]);
  }
  return timings;
}
