/**
 * A fleet of loopback upstreams for the fan-out and pool tests: each answers
 * A queries for any name under `fleet.test` with its own subset of addresses
 * after its own delay, so a test can predict who answers first and what the
 * merged pool must contain. Delays and failures can be changed at runtime
 * (through the control endpoint), per upstream and optionally only for names
 * under a suffix, so concurrently running test files do not disturb each other.
 */
import type { Socket } from 'node:net';
import { type DnsMessage, type DnsRecord, decodeMessage, encodeMessage } from '../../src/dns/codec';
import { handleAsync, readDnsQuery, sendDnsMessage } from './dns-http';
import { type LoopbackServer, listenHttp, listenTcp } from './loopback-listener';
import { matchesSuffix, RequestLog, type TestTransport } from './request-log';
import { frame, readFrames } from './tcp-framing';
import { Rcode, respond, TEST_ZONE_SOA } from './test-zone';

/** Every name at or below this is answered by the fleet; anything else is REFUSED. */
export const FLEET_ZONE = 'fleet.test';
/** TTL of fleet answers: short, like the CDN names this resolver is built for. */
export const FLEET_TTL = 60;

export interface FleetUpstreamSpec {
  readonly name: string;
  readonly transport: TestTransport;
  readonly delayMs: number;
  readonly addresses: readonly string[];
}

/** One running fleet member, as handed to tests. */
export interface FleetUpstream extends FleetUpstreamSpec {
  /** Its UPSTREAMS URL (`http://127.0.0.1:…/dns-query` or `tcp://127.0.0.1:…`). */
  readonly url: string;
}

/**
 * How a fleet upstream fails instead of answering: `servfail`/`refused`
 * answer with that RCODE, `close` drops the connection, `never` keeps it open
 * without answering, `none` answers normally.
 */
export type FleetFailure = 'none' | 'servfail' | 'refused' | 'close' | 'never';
export const FLEET_FAILURES: readonly FleetFailure[] = [
  'none',
  'servfail',
  'refused',
  'close',
  'never',
];

interface FleetOverride {
  delayMs?: number;
  failure?: FleetFailure;
}

export interface UpstreamFleet {
  readonly upstreams: readonly FleetUpstream[];
  /** Where every arrival is recorded. */
  readonly log: RequestLog;
  /** The fleet as an UPSTREAMS value (`name=url,…`). */
  readonly upstreamsValue: string;
  /** Overrides an upstream's delay, for names under `suffix` only if given. */
  setDelay(upstream: string, delayMs: number, suffix?: string): void;
  /** Makes an upstream fail, for names under `suffix` only if given. */
  setFailure(upstream: string, failure: FleetFailure, suffix?: string): void;
  /** Drops overrides: all of them, or those set for `suffix`. */
  resetOverrides(suffix?: string): void;
  close(): Promise<void>;
}

/** Thrown by the setters for a name that is not in the fleet. */
export class UnknownUpstreamError extends Error {
  override readonly name = 'UnknownUpstreamError';
}

/**
 * Starts one loopback server per spec. Arrivals go to `log`: pass the run's
 * shared log so `/stats` shows them, or omit it (a bench in Node) and read
 * `fleet.log` directly.
 */
export async function startUpstreamFleet(
  specs: readonly FleetUpstreamSpec[],
  log: RequestLog = new RequestLog(),
): Promise<UpstreamFleet> {
  // upstream -> suffix ('' = every name) -> override
  const overrides = new Map<string, Map<string, FleetOverride>>();
  const timers = new Set<NodeJS.Timeout>();
  const servers: LoopbackServer[] = [];
  const upstreams: FleetUpstream[] = [];

  const behaviourFor = (spec: FleetUpstreamSpec, name: string): Required<FleetOverride> => {
    let delayMs = spec.delayMs;
    let failure: FleetFailure = 'none';
    // Shorter suffixes first, so the most specific override is applied last and wins.
    const bySuffix = [...(overrides.get(spec.name) ?? new Map<string, FleetOverride>())]
      .filter(([suffix]) => matchesSuffix(name, suffix))
      .sort(([a], [b]) => a.length - b.length);
    for (const [, override] of bySuffix) {
      delayMs = override.delayMs ?? delayMs;
      failure = override.failure ?? failure;
    }
    return { delayMs, failure };
  };

  /** Calls `send` with the answer after the delay, or fails as configured. */
  const answerLater = (
    spec: FleetUpstreamSpec,
    queryBytes: Uint8Array,
    send: (answer: Uint8Array) => void,
    drop: () => void,
  ): void => {
    log.record(spec.name, spec.transport, queryBytes);
    let query: DnsMessage;
    try {
      query = decodeMessage(queryBytes);
    } catch {
      drop();
      return;
    }
    const { delayMs, failure } = behaviourFor(spec, query.questions?.[0]?.name ?? '');
    if (failure === 'never') return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (failure === 'close') drop();
      else send(encodeMessage(fleetAnswer(spec, query, failure)));
    }, delayMs);
    timers.add(timer);
  };

  for (const spec of specs) {
    log.register(spec.name);
    if (spec.transport === 'http') {
      const server = await listenHttp((request, response) => {
        handleAsync(response, async () => {
          const query = await readDnsQuery(request, response);
          if (query === undefined) return;
          answerLater(
            spec,
            query,
            (answer) => sendDnsMessage(response, answer),
            () => response.socket?.destroy(),
          );
        });
      });
      servers.push(server);
      upstreams.push({ ...spec, url: `http://127.0.0.1:${server.port}/dns-query` });
    } else {
      const server = await listenTcp((socket: Socket) => {
        readFrames(socket, (query) => {
          answerLater(
            spec,
            query,
            (answer) => socket.write(frame(answer)),
            () => socket.destroy(),
          );
        });
      });
      servers.push(server);
      upstreams.push({ ...spec, url: `tcp://127.0.0.1:${server.port}` });
    }
  }

  const override = (upstream: string, suffix: string | undefined, change: FleetOverride) => {
    if (!upstreams.some((u) => u.name === upstream)) {
      throw new UnknownUpstreamError(`no fleet upstream named ${upstream}`);
    }
    const key = (suffix ?? '').toLowerCase();
    const forUpstream = overrides.get(upstream) ?? new Map<string, FleetOverride>();
    forUpstream.set(key, { ...forUpstream.get(key), ...change });
    overrides.set(upstream, forUpstream);
  };

  return {
    upstreams,
    log,
    upstreamsValue: upstreams.map((u) => `${u.name}=${u.url}`).join(','),
    setDelay: (upstream, delayMs, suffix) => override(upstream, suffix, { delayMs }),
    setFailure: (upstream, failure, suffix) => override(upstream, suffix, { failure }),
    resetOverrides: (suffix) => {
      if (suffix === undefined) overrides.clear();
      else for (const forUpstream of overrides.values()) forUpstream.delete(suffix.toLowerCase());
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}

function fleetAnswer(
  spec: FleetUpstreamSpec,
  query: DnsMessage,
  failure: FleetFailure,
): DnsMessage {
  if (failure === 'servfail') return respond(query, Rcode.SERVFAIL, [], []);
  if (failure === 'refused') return respond(query, Rcode.REFUSED, [], []);
  const question = query.questions?.[0];
  if (question === undefined) return respond(query, Rcode.FORMERR, [], []);
  if (!matchesSuffix(question.name, FLEET_ZONE)) return respond(query, Rcode.REFUSED, [], []);
  if (question.type !== 'A') return respond(query, Rcode.NOERROR, [], [TEST_ZONE_SOA]);
  const answers = spec.addresses.map(
    (data): DnsRecord => ({ name: question.name, type: 'A', class: 'IN', ttl: FLEET_TTL, data }),
  );
  return respond(query, Rcode.NOERROR, answers, []);
}
