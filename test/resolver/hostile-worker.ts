/**
 * Asks the worker, against the hostile and honest loopback upstreams
 * (test/support/hostile-servers.ts), the same question at the four moments
 * a served answer can come from somewhere else: the first answer (the race's
 * winner), a second client 100 ms later (before the pool write has landed),
 * the pool itself through the admin view, and a client after the pool write.
 */
import { inject } from 'vitest';
import { type DnsMessage, decodeMessage, encodeMessage } from '../../src/dns/codec';
import type { PoolView } from '../../src/pool/domain-pool';
import { ADMIN_TOKEN, bearer } from '../routes/admin-client';
import { callWorker, fetchWorker, getPath, RECURSION_DESIRED } from '../routes/worker-client';
import { HOSTILE_ZONE, POISON_PREFIX } from '../support/hostility';
import { maxAgeOf } from './fleet-worker';

/** CD bit in the header flags (RFC 4035 §3.2.2). */
export const CHECKING_DISABLED_FLAG = 0x0010;
/** The second client comes this long after the first answer, before the pool write lands. */
export const SOON_AFTER_MS = 100;
/** docs/architecture.md §5 caps, written out so a test fails if the code's constants drift. */
export const POSITIVE_CAP = 86_400;
export const NEGATIVE_CAP = 3_600;

/** `<behaviour>.<unique>.hostile.test`: the first label picks what the upstreams do. */
export function uniqueHostileName(behaviour: string): string {
  return `${behaviour}.${crypto.randomUUID()}.${HOSTILE_ZONE}`;
}

export interface HostileUpstreams {
  readonly bindings: Partial<Env>;
  /** The UPSTREAMS names this test gave the two servers (health is kept per name). */
  readonly hostile: string;
  readonly honest: string;
}

/** Fresh upstream names per test, so no test inherits another's health or cool-down. */
export function hostileUpstreams(): HostileUpstreams {
  const tag = crypto.randomUUID().slice(0, 8);
  const hostile = `hostile-${tag}`;
  const honest = `honest-${tag}`;
  return {
    hostile,
    honest,
    bindings: {
      // Health is kept per (tenant, URL): the tag in the URL (the servers ignore
      // the query string) gives every pair its own health, from a clean start.
      UPSTREAMS: [
        `${hostile}=http://127.0.0.1:${inject('hostilePort')}/dns-query?pair=${tag}`,
        `${honest}=http://127.0.0.1:${inject('honestPort')}/dns-query?pair=${tag}`,
      ].join(','),
    },
  };
}

export interface AskOptions {
  readonly type?: string;
  readonly qclass?: string;
  readonly checkingDisabled?: boolean;
}

export interface Served {
  readonly message: DnsMessage;
  readonly maxAge: number;
  readonly cache: string;
}

/** One wire-format query through the worker; waits for its background work when told to. */
export async function ask(
  name: string,
  upstreams: HostileUpstreams,
  options: AskOptions = {},
): Promise<Served & { background: Promise<void> }> {
  const bytes = encodeMessage({
    id: 0,
    type: 'query',
    flags: RECURSION_DESIRED | (options.checkingDisabled ? CHECKING_DISABLED_FLAG : 0),
    questions: [
      { name, type: (options.type ?? 'A') as 'A', class: (options.qclass ?? 'IN') as 'IN' },
    ],
  });
  const { response, background } = await callWorker(getPath(bytes), undefined, upstreams.bindings);
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  const message = decodeMessage(new Uint8Array(await response.arrayBuffer()));
  const cache = /cache;desc="(\w+)"/.exec(response.headers.get('server-timing') ?? '')?.[1] ?? '';
  return { message, maxAge: maxAgeOf(response), cache, background };
}

/** The default tenant's pool for (name, type) as the admin API shows it; null when there is none. */
export async function adminPool(name: string, type = 'A'): Promise<PoolView | null> {
  const response = await fetchWorker(`/admin/pools/${name}/${type}`, {
    headers: bearer(ADMIN_TOKEN),
  });
  if (response.status === 404) return null;
  if (response.status !== 200) throw new Error(`admin pool view: HTTP ${response.status}`);
  return response.json<PoolView>();
}

export interface FourViews {
  readonly first: Served;
  readonly soon: Served;
  readonly pool: PoolView | null;
  readonly after: Served;
}

/** The same question at the four moments (see the file comment). */
export async function fourViews(
  name: string,
  upstreams: HostileUpstreams,
  options: AskOptions = {},
): Promise<FourViews> {
  const first = await ask(name, upstreams, options);
  await new Promise((resolve) => setTimeout(resolve, SOON_AFTER_MS));
  const soon = await ask(name, upstreams, options);
  await Promise.all([first.background, soon.background]);
  const pool = await adminPool(name, options.type ?? 'A');
  const after = await ask(name, upstreams, options);
  await after.background;
  return { first, soon, pool, after };
}

/** Every answer and authority record of a message, for assertions over all of them. */
export function recordsOf(message: DnsMessage) {
  return [...(message.answers ?? []), ...(message.authorities ?? [])].filter(
    (r) => r.type !== 'OPT',
  );
}

/** True when any record of the message carries a poisoned address. */
export function hasPoison(message: DnsMessage): boolean {
  return recordsOf(message).some((r) => dataText(r).startsWith(POISON_PREFIX));
}

/** The data of a record as text: strings as they are, TXT strings joined. */
function dataText(record: NonNullable<DnsMessage['answers']>[number]): string {
  if (!('data' in record)) return '';
  return typeof record.data === 'string' ? record.data.toLowerCase() : String(record.data);
}

/** `owner type data` of every answer record, lower case, for exact comparisons. */
export function answerLines(message: DnsMessage): string[] {
  return (message.answers ?? []).map((r) => `${r.name.toLowerCase()} ${r.type} ${dataText(r)}`);
}

/** The data of every answer record, in served order. */
export function answerData(message: Pick<DnsMessage, 'answers'>): string[] {
  return (message.answers ?? []).map(dataText);
}

/** `class data` of every answer record, e.g. `CH ch-hostile` for a TXT record. */
export function answerClassData(message: DnsMessage): string[] {
  return (message.answers ?? []).map((r) => `${'class' in r ? r.class : ''} ${dataText(r)}`);
}

/** The TTLs of every answer and authority record. */
export function ttlsOf(message: DnsMessage): number[] {
  return recordsOf(message).map((r) => ('ttl' in r ? (r.ttl ?? 0) : 0));
}
