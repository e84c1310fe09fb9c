/**
 * Loopback upstream resolvers for the bench and the demo. Each answers A
 * queries for any name with its own subset of addresses after its own delay,
 * or fails as the running profile decides per (upstream, name, arrival
 * order). Every request is recorded from arrival to answer, drop or abort,
 * so concurrency at the upstreams can be measured per lookup.
 *
 * Unlike `test/support/upstream-fleet.ts` (which the tests own) this one
 * records completions, not only arrivals, and can stop a listener so the
 * port refuses connections: what a dead resolver looks like. The TCP
 * listener and its framing are the tests' own (`test/support`).
 */
import { createServer as createHttpServer } from 'node:http';
import {
  type DnsMessage,
  type DnsRecord,
  decodeMessage,
  encodeMessage,
  FLAGS,
} from '../../src/dns/codec';
import { type LoopbackServer, listenTcp } from '../../test/support/loopback-listener';
import { frame, readFrames } from '../../test/support/tcp-framing';

const LOOPBACK = '127.0.0.1';
/** TTL of every simulated answer: long enough that a read-back minutes later still hits. */
export const SIM_TTL = 600;
/** RFC 1035 §4.1.1 RCODEs the simulator answers with. */
const RCODE_NOERROR = 0;
const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;
/** SOA minimum of NXDOMAIN answers: their negative TTL (RFC 2308 §5). */
const NEGATIVE_TTL = 60;
/**
 * Idle keep-alive connections stay open this long, not Node's default 5 s:
 * the gap between two cells is longer than that, and a connection the
 * simulator closes just as the worker reuses it would show up as an upstream
 * failure no profile asked for.
 */
const KEEP_ALIVE_TIMEOUT_MS = 60_000;

export type SimTransport = 'http' | 'tcp';

/**
 * `servfail` answers SERVFAIL after the delay, `hang` never answers (the
 * resolver's deadline ends it), `drop` closes the connection after the delay,
 * `nxdomain` answers that the name does not exist (with an SOA, RFC 2308 §3):
 * not a failure of the upstream, but what a flood of made-up names gets.
 */
export type SimFailure = 'none' | 'servfail' | 'hang' | 'drop' | 'nxdomain';

export interface SimBehaviour {
  readonly delayMs: number;
  readonly failure: SimFailure;
}

export interface SimUpstreamSpec {
  readonly name: string;
  readonly transport: SimTransport;
  readonly delayMs: number;
  readonly addresses: readonly string[];
  /** TTL of its answers in seconds; SIM_TTL when absent (scripts/race.ts needs entries that expire). */
  readonly ttl?: number;
}

export interface SimUpstream extends SimUpstreamSpec {
  readonly url: string;
}

/**
 * Decides how an upstream treats one query. `arrival` counts this name's
 * arrivals across all upstreams, from 0: the first two are the resolver's
 * active tier in tiered mode.
 */
export type DecideBehaviour = (
  upstream: SimUpstreamSpec,
  name: string,
  arrival: number,
) => SimBehaviour;

export type RequestOutcome = 'open' | 'answered' | 'servfail' | 'dropped' | 'aborted';

/** One request as an upstream saw it. Times are ms since the epoch, sub-ms precision. */
export interface SimRequest {
  readonly upstream: string;
  /** Lower-cased query name. */
  readonly name: string;
  readonly arrival: number;
  readonly behaviour: SimBehaviour;
  readonly arrivedAt: number;
  endedAt: number | null;
  outcome: RequestOutcome;
}

export interface UpstreamSim {
  readonly upstreams: readonly SimUpstream[];
  /** The fleet as an UPSTREAMS value (`name=url,…`). */
  readonly upstreamsValue: string;
  setBehaviour(decide: DecideBehaviour): void;
  /** Every request for `name` (lower case), or all of them. */
  requests(name?: string): readonly SimRequest[];
  /** Closes one upstream's listener: its port refuses connections from now on. */
  stop(upstream: string): Promise<void>;
  close(): Promise<void>;
}

export const healthyBehaviour: DecideBehaviour = (upstream) => ({
  delayMs: upstream.delayMs,
  failure: 'none',
});

export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

export async function startUpstreamSim(specs: readonly SimUpstreamSpec[]): Promise<UpstreamSim> {
  let decide: DecideBehaviour = healthyBehaviour;
  const all: SimRequest[] = [];
  const byName = new Map<string, SimRequest[]>();
  const timers = new Set<NodeJS.Timeout>();
  const listeners = new Map<string, LoopbackServer>();

  /** Records the arrival and schedules the answer; `send(null)` means drop. */
  const arrive = (
    spec: SimUpstreamSpec,
    queryBytes: Uint8Array,
    send: (answer: Uint8Array | null) => void,
  ): SimRequest | null => {
    let query: DnsMessage;
    try {
      query = decodeMessage(queryBytes);
    } catch {
      send(null);
      return null;
    }
    const name = (query.questions?.[0]?.name ?? '').toLowerCase();
    const list = byName.get(name) ?? [];
    byName.set(name, list);
    const behaviour = decide(spec, name, list.length);
    const request: SimRequest = {
      upstream: spec.name,
      name,
      arrival: list.length,
      behaviour,
      arrivedAt: wallClock(),
      endedAt: null,
      outcome: 'open',
    };
    list.push(request);
    all.push(request);
    if (behaviour.failure === 'hang') return request;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (request.outcome !== 'open') return;
      request.endedAt = wallClock();
      if (behaviour.failure === 'drop') {
        request.outcome = 'dropped';
        send(null);
        return;
      }
      request.outcome = behaviour.failure === 'servfail' ? 'servfail' : 'answered';
      send(encodeMessage(simAnswer(spec, query, behaviour.failure)));
    }, behaviour.delayMs);
    timers.add(timer);
    return request;
  };

  const abortOpen = (requests: Iterable<SimRequest>) => {
    for (const request of requests) {
      if (request.outcome !== 'open') continue;
      request.outcome = 'aborted';
      request.endedAt = wallClock();
    }
  };

  const upstreams: SimUpstream[] = [];
  for (const spec of specs) {
    if (spec.transport === 'http') {
      const listener = await listenHttp(spec, arrive, abortOpen);
      listeners.set(spec.name, listener);
      upstreams.push({ ...spec, url: `http://${LOOPBACK}:${listener.port}/dns-query` });
    } else {
      const listener = await listenSimTcp(spec, arrive, abortOpen);
      listeners.set(spec.name, listener);
      upstreams.push({ ...spec, url: `tcp://${LOOPBACK}:${listener.port}` });
    }
  }

  return {
    upstreams,
    upstreamsValue: upstreams.map((u) => `${u.name}=${u.url}`).join(','),
    setBehaviour: (next) => {
      decide = next;
    },
    requests: (name) => (name === undefined ? all : (byName.get(name.toLowerCase()) ?? [])),
    stop: async (upstream) => {
      const listener = listeners.get(upstream);
      listeners.delete(upstream);
      await listener?.close();
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([...listeners.values()].map((l) => l.close()));
      listeners.clear();
    },
  };
}

type Arrive = (
  spec: SimUpstreamSpec,
  query: Uint8Array,
  send: (answer: Uint8Array | null) => void,
) => SimRequest | null;

/**
 * Not `test/support/loopback-listener`'s `listenHttp`: that one keeps Node's
 * 5 s keep-alive timeout (see KEEP_ALIVE_TIMEOUT_MS).
 */
async function listenHttp(
  spec: SimUpstreamSpec,
  arrive: Arrive,
  abortOpen: (requests: Iterable<SimRequest>) => void,
): Promise<LoopbackServer> {
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const dns = new URL(request.url ?? '/', 'http://sim').searchParams.get('dns');
      const body =
        request.method === 'GET' && dns !== null
          ? Buffer.from(dns, 'base64url')
          : Buffer.concat(chunks);
      const recorded = arrive(spec, new Uint8Array(body), (answer) => {
        if (answer === null) response.socket?.destroy();
        else
          response
            .writeHead(200, {
              'content-type': 'application/dns-message',
              'content-length': answer.length,
            })
            .end(answer);
      });
      // The resolver gave up (deadline, or a winner elsewhere): the request ends here.
      if (recorded) response.on('close', () => abortOpen([recorded]));
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function listenSimTcp(
  spec: SimUpstreamSpec,
  arrive: Arrive,
  abortOpen: (requests: Iterable<SimRequest>) => void,
): Promise<LoopbackServer> {
  return listenTcp((socket) => {
    const onSocket = new Set<SimRequest>();
    socket.on('close', () => abortOpen(onSocket));
    readFrames(socket, (message) => {
      const recorded = arrive(spec, message, (answer) => {
        if (answer === null) socket.destroy();
        else if (!socket.destroyed) socket.write(frame(answer));
      });
      if (recorded) onSocket.add(recorded);
    });
  });
}

function simAnswer(spec: SimUpstreamSpec, query: DnsMessage, failure: SimFailure): DnsMessage {
  const question = query.questions?.[0];
  const rcode =
    failure === 'servfail'
      ? RCODE_SERVFAIL
      : failure === 'nxdomain'
        ? RCODE_NXDOMAIN
        : RCODE_NOERROR;
  const answers =
    rcode !== RCODE_NOERROR || question === undefined || question.type !== 'A'
      ? []
      : spec.addresses.map((data) => ({
          name: question.name,
          type: 'A' as const,
          class: 'IN' as const,
          ttl: spec.ttl ?? SIM_TTL,
          data,
        }));
  const authorities =
    rcode === RCODE_NXDOMAIN && question !== undefined ? [negativeSoa(question.name)] : [];
  return {
    id: query.id ?? 0,
    type: 'response',
    flags: ((query.flags ?? 0) & FLAGS.RECURSION_DESIRED) | FLAGS.RECURSION_AVAILABLE | rcode,
    questions: query.questions ?? [],
    answers,
    authorities,
    additionals: [],
  };
}

/** The SOA of the simulated zone: the last two labels of `name` (`bench.test`). */
function negativeSoa(name: string): DnsRecord {
  const zone = name.split('.').slice(-2).join('.');
  return {
    name: zone,
    type: 'SOA',
    class: 'IN',
    ttl: NEGATIVE_TTL,
    data: {
      mname: `ns.${zone}`,
      rname: `hostmaster.${zone}`,
      serial: 1,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minimum: NEGATIVE_TTL,
    },
  };
}
