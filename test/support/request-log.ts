/**
 * What every loopback DNS server received, so tests (also those inside workerd,
 * through the control endpoint) can assert who was asked what and when.
 */
import { decodeMessage } from '../../src/dns/codec';

export type TestTransport = 'http' | 'tcp';

/** One query as it arrived at a server. */
export interface Arrival {
  /** Query name as sent (case kept), or `''` when the bytes did not decode. */
  readonly name: string;
  readonly type: string;
  readonly transport: TestTransport;
  /** Wall-clock arrival time in ms since the epoch, sub-millisecond precision. */
  readonly at: number;
}

/** Per-server statistics as served by `GET /stats`. */
export interface ServerStats {
  readonly requests: number;
  /** Lower-cased query name -> count. */
  readonly names: Record<string, number>;
  readonly arrivals: readonly Arrival[];
}

export interface Stats {
  readonly servers: Record<string, ServerStats>;
}

export class RequestLog {
  readonly #arrivals = new Map<string, Arrival[]>();

  /** Declares a server so it shows up in stats even before its first query. */
  register(server: string): void {
    if (!this.#arrivals.has(server)) this.#arrivals.set(server, []);
  }

  /** Records one query; returns nothing because servers must not depend on it. */
  record(server: string, transport: TestTransport, query: Uint8Array): void {
    let name = '';
    let type = '';
    try {
      const question = decodeMessage(query).questions?.[0];
      name = question?.name ?? '';
      type = question?.type ?? '';
    } catch {
      // Garbage is still an arrival: counted under the empty name.
    }
    const at = performance.timeOrigin + performance.now();
    const list = this.#arrivals.get(server) ?? [];
    list.push({ name, type, transport, at });
    this.#arrivals.set(server, list);
  }

  /** Statistics, optionally only for query names at or below `suffix`. */
  stats(suffix?: string): Stats {
    const servers: Record<string, ServerStats> = {};
    for (const [server, all] of this.#arrivals) {
      const arrivals = all.filter((arrival) => matchesSuffix(arrival.name, suffix));
      const names: Record<string, number> = {};
      for (const arrival of arrivals) {
        const key = arrival.name.toLowerCase();
        names[key] = (names[key] ?? 0) + 1;
      }
      servers[server] = { requests: arrivals.length, names, arrivals };
    }
    return { servers };
  }

  /** Forgets arrivals, all of them or only those at or below `suffix`. */
  reset(suffix?: string): void {
    for (const [server, all] of this.#arrivals) {
      this.#arrivals.set(
        server,
        suffix === undefined ? [] : all.filter((arrival) => !matchesSuffix(arrival.name, suffix)),
      );
    }
  }
}

/** True when `name` equals `suffix` or lies below it (label boundary, case-insensitive). */
export function matchesSuffix(name: string, suffix: string | undefined): boolean {
  if (suffix === undefined || suffix === '') return true;
  const n = name.toLowerCase();
  const s = suffix.toLowerCase().replace(/\.$/, '');
  return n === s || n.endsWith(`.${s}`);
}
