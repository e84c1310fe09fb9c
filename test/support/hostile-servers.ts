/**
 * Two loopback DoH upstreams for the "every served answer is clean" tests:
 * `hostile` answers at once with what the name's behaviour asks for (see
 * hostility.ts), `honest` answers HONEST_DELAY_MS later with a clean answer.
 * Both are plain HTTP, so every test can give them names of its own in
 * UPSTREAMS and start with fresh upstream health.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type DnsMessage, type DnsRecord, decodeMessage, encodeMessage } from '../../src/dns/codec';
import { handleAsync, readDnsQuery, sendDnsMessage } from './dns-http';
import {
  CHECKING_DISABLED_ADDRESS,
  HONEST_ADDRESS,
  HONEST_DELAY_MS,
  HONEST_SERVER,
  HOSTILE_ADDRESS,
  HOSTILE_SERVER,
  HOSTILE_TTL,
  HOSTILE_ZONE,
  Hostility,
  LONG_CHAIN_LINKS,
  NODATA_SOA_MINIMUM,
  NODATA_SOA_TTL,
  POISON_PREFIX,
} from './hostility';
import { listenHttp } from './loopback-listener';
import type { RequestLog } from './request-log';
import { Rcode, respond } from './test-zone';

/** CD bit in the header flags (RFC 4035 §3.2.2). */
const FLAG_CD = 0x0010;

type Role = 'hostile' | 'honest';

export interface HostileServers {
  readonly hostilePort: number;
  readonly honestPort: number;
  close(): Promise<void>;
}

export async function startHostileServers(log: RequestLog): Promise<HostileServers> {
  const serve = (role: Role, server: string, delayMs: number) => {
    log.register(server);
    return listenHttp((request, response) => {
      handleAsync(response, async () => {
        const bytes = await readDnsQuery(request, response);
        if (bytes === undefined) return;
        log.record(server, 'http', bytes);
        if (delayMs > 0) await sleep(delayMs);
        sendDnsMessage(response, encodeMessage(answer(role, decodeMessage(bytes))));
      });
    });
  };
  const hostile = await serve('hostile', HOSTILE_SERVER, 0);
  const honest = await serve('honest', HONEST_SERVER, HONEST_DELAY_MS);
  return {
    hostilePort: hostile.port,
    honestPort: honest.port,
    close: async () => {
      await Promise.all([hostile.close(), honest.close()]);
    },
  };
}

function answer(role: Role, query: DnsMessage): DnsMessage {
  const question = query.questions?.[0];
  if (question === undefined) return respond(query, Rcode.FORMERR, [], []);
  const name = question.name;
  const lower = name.toLowerCase();
  if (!lower.endsWith(`.${HOSTILE_ZONE}`)) return respond(query, Rcode.REFUSED, [], []);
  const behaviour = lower.split('.')[0] ?? '';
  const own = role === 'hostile' ? HOSTILE_ADDRESS : HONEST_ADDRESS;
  const clean = [a(name, own)];
  const ok = (answers: DnsRecord[], authorities: DnsRecord[] = []) =>
    respond(query, Rcode.NOERROR, answers, authorities);

  if (behaviour.startsWith('ttl-')) return ok([a(name, own, Number(behaviour.slice(4)))]);
  switch (behaviour) {
    case Hostility.foreign:
      if (role === 'honest') return ok(clean);
      return ok([
        a(name, own),
        a('victim.example', `${POISON_PREFIX}1`),
        a(`side.${name}`, `${POISON_PREFIX}2`),
      ]);
    case Hostility.offChain: {
      const chain = [cname(name, `edge.${name}`), a(`edge.${name}`, own)];
      if (role === 'honest') return ok(chain);
      return ok([
        ...chain,
        a(name, `${POISON_PREFIX}3`),
        cname(`side.${name}`, `edge.${name}`),
        a(`side.${name}`, `${POISON_PREFIX}4`),
      ]);
    }
    case Hostility.twoCnames:
      if (role === 'honest') return ok([cname(name, `a.${name}`), a(`a.${name}`, own)]);
      return ok([
        cname(name, `a.${name}`),
        cname(name, `b.${name}`),
        a(`a.${name}`, `${POISON_PREFIX}5`),
        a(`b.${name}`, `${POISON_PREFIX}6`),
      ]);
    case Hostility.loop:
      if (role === 'honest') return ok(clean);
      return ok([
        cname(name, `a.${name}`),
        cname(`a.${name}`, name),
        a(`a.${name}`, `${POISON_PREFIX}7`),
      ]);
    case Hostility.longChain: {
      if (role === 'honest') return ok(clean);
      const link = (i: number) => (i === 0 ? name : `c${i}.${name}`);
      const links = Array.from({ length: LONG_CHAIN_LINKS }, (_, i) => cname(link(i), link(i + 1)));
      return ok([...links, a(link(LONG_CHAIN_LINKS), `${POISON_PREFIX}8`)]);
    }
    case Hostility.otherClass:
      if (role === 'honest') return ok(clean);
      return ok([a(name, own), { ...a(name, `${POISON_PREFIX}9`), class: 'CH' } as DnsRecord]);
    case Hostility.checkingDisabled:
      return ok([a(name, ((query.flags ?? 0) & FLAG_CD) !== 0 ? CHECKING_DISABLED_ADDRESS : own)]);
    case Hostility.byClass: {
      const qclass = question.class ?? 'IN';
      const prefix = qclass === 'IN' ? 'in' : 'ch';
      return ok([
        { name, type: 'TXT', class: qclass, ttl: HOSTILE_TTL, data: [`${prefix}-${role}`] },
      ]);
    }
    case Hostility.nodataBehindCname:
      return ok([cname(name, `end.${name}`)], [soa()]);
    default:
      return ok(clean);
  }
}

function a(name: string, data: string, ttl = HOSTILE_TTL): DnsRecord {
  return { name, type: 'A', class: 'IN', ttl, data };
}

function cname(name: string, data: string): DnsRecord {
  return { name, type: 'CNAME', class: 'IN', ttl: HOSTILE_TTL, data };
}

function soa(): DnsRecord {
  return {
    name: HOSTILE_ZONE,
    type: 'SOA',
    class: 'IN',
    ttl: NODATA_SOA_TTL,
    data: {
      mname: `ns.${HOSTILE_ZONE}`,
      rname: `hostmaster.${HOSTILE_ZONE}`,
      serial: 1,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minimum: NODATA_SOA_MINIMUM,
    },
  };
}
