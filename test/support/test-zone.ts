/**
 * The zone every loopback test server serves: a small authoritative `test.`
 * zone (RFC 6761 §6.2 reserves `.test` for exactly this) with one name per
 * kind of answer the resolver must handle. Addresses come from the RFC 5737 /
 * RFC 3849 documentation ranges so nothing here can leak onto a real network.
 *
 * Shared by the Node servers (globalSetup) and the tests in workerd, which
 * import the names and expected data from here instead of repeating literals.
 */
import type { DnsMessage, DnsQuestion, DnsRecord } from '../../src/dns/codec';

/** Apex of the test zone. */
export const TEST_ZONE_APEX = 'test';

/**
 * SOA TTL deliberately larger than SOA MINIMUM: the negative-caching TTL is
 * min(SOA TTL, MINIMUM) (RFC 2308 §5), so a test can tell which one was used.
 */
export const TEST_ZONE_SOA_TTL = 3600;
export const TEST_ZONE_SOA_MINIMUM = 60;

export const TEST_ZONE_SOA: DnsRecord = {
  name: TEST_ZONE_APEX,
  type: 'SOA',
  class: 'IN',
  ttl: TEST_ZONE_SOA_TTL,
  data: {
    mname: 'ns.test',
    rname: 'hostmaster.test',
    serial: 2026110101,
    refresh: 3600,
    retry: 600,
    expire: 86400,
    minimum: TEST_ZONE_SOA_MINIMUM,
  },
};

/** Names of the zone, each standing for one kind of answer. */
export const TestName = {
  /** One A record, TTL 300. */
  a: 'a.test',
  /** Several A records (an RRset to merge and order). */
  multi: 'multi.test',
  /** AAAA only. */
  v6: 'v6.test',
  /** CNAME to `a.test`; answers carry the whole chain. */
  cname: 'cname.test',
  /** Not in the zone: NXDOMAIN with the SOA in authority. */
  nx: 'nx.test',
  /** Has an A record only: an AAAA query is NOERROR NODATA with the SOA. */
  nodata: 'nodata.test',
  /** Always SERVFAIL. */
  servfail: 'servfail.test',
  /** Always REFUSED. */
  refused: 'refused.test',
  txt: 'txt.test',
  mx: 'mx.test',
  /**
   * 127.0.0.1: a name `npm run dev:https` users can fetch from the dev server
   * itself (`curl --doh-url … http://loopback.test:8787/health`), so a DoH
   * client's answer is proven by a working connection, offline.
   */
  loopback: 'loopback.test',
} as const;

/** TTL of `a.test`; the CNAME above it has a longer one so "minimum TTL" is observable. */
export const A_TTL = 300;
export const CNAME_TTL = 600;
export const A_ADDRESS = '192.0.2.1';
export const MULTI_ADDRESSES = ['192.0.2.10', '192.0.2.11', '192.0.2.12'] as const;
export const V6_ADDRESSES = ['2001:db8::1', '2001:db8::2'] as const;
export const NODATA_ADDRESS = '192.0.2.2';
export const LOOPBACK_ADDRESS = '127.0.0.1';

/**
 * Names a tenant could give as an upstream host (docs/operations.md §2): each looks like a
 * public name and resolves to an address no tenant may reach, as
 * `127.0.0.1.nip.io` or `localtest.me` do on the internet. `public` is the
 * control; its address is a real public one because documentation ranges
 * are refused too, and no test ever connects to it.
 */
export const UpstreamHost = {
  /** A 10.0.0.53 (RFC 1918). */
  private: 'private-upstream.test',
  /** A 169.254.169.254: cloud metadata, link-local. */
  metadata: 'metadata-upstream.test',
  /** A public address and AAAA fd00::53 (unique local): one bad address is enough. */
  mixed: 'mixed-upstream.test',
  /** CNAME to `private`: judged by where the chain ends. */
  cnamePrivate: 'cname-upstream.test',
  /** A 127.0.0.1: allowed only in development. */
  loopback: 'loopback-upstream.test',
  /** A public address only. */
  public: 'public-upstream.test',
  /** Not in the zone: NXDOMAIN. */
  absent: 'absent-upstream.test',
} as const;

export const UPSTREAM_HOST_PRIVATE_ADDRESS = '10.0.0.53';
/** Quad9's address: public, never connected to by a test. */
export const UPSTREAM_HOST_PUBLIC_ADDRESS = '9.9.9.9';

const upstreamHostRecords: DnsRecord[] = [
  {
    name: UpstreamHost.private,
    type: 'A',
    class: 'IN',
    ttl: 60,
    data: UPSTREAM_HOST_PRIVATE_ADDRESS,
  },
  { name: UpstreamHost.metadata, type: 'A', class: 'IN', ttl: 60, data: '169.254.169.254' },
  { name: UpstreamHost.mixed, type: 'A', class: 'IN', ttl: 60, data: UPSTREAM_HOST_PUBLIC_ADDRESS },
  { name: UpstreamHost.mixed, type: 'AAAA', class: 'IN', ttl: 60, data: 'fd00::53' },
  {
    name: UpstreamHost.cnamePrivate,
    type: 'CNAME',
    class: 'IN',
    ttl: 60,
    data: UpstreamHost.private,
  },
  { name: UpstreamHost.loopback, type: 'A', class: 'IN', ttl: 60, data: '127.0.0.1' },
  {
    name: UpstreamHost.public,
    type: 'A',
    class: 'IN',
    ttl: 60,
    data: UPSTREAM_HOST_PUBLIC_ADDRESS,
  },
];

const records: DnsRecord[] = [
  TEST_ZONE_SOA,
  ...upstreamHostRecords,
  { name: TestName.a, type: 'A', class: 'IN', ttl: A_TTL, data: A_ADDRESS },
  ...MULTI_ADDRESSES.map(
    (data): DnsRecord => ({ name: TestName.multi, type: 'A', class: 'IN', ttl: 120, data }),
  ),
  ...V6_ADDRESSES.map(
    (data): DnsRecord => ({ name: TestName.v6, type: 'AAAA', class: 'IN', ttl: 300, data }),
  ),
  { name: TestName.cname, type: 'CNAME', class: 'IN', ttl: CNAME_TTL, data: TestName.a },
  { name: TestName.nodata, type: 'A', class: 'IN', ttl: 300, data: NODATA_ADDRESS },
  { name: TestName.loopback, type: 'A', class: 'IN', ttl: 300, data: LOOPBACK_ADDRESS },
  { name: TestName.txt, type: 'TXT', class: 'IN', ttl: 300, data: ['hello from the test zone'] },
  {
    name: TestName.mx,
    type: 'MX',
    class: 'IN',
    ttl: 300,
    data: { preference: 10, exchange: 'mail.test' },
  },
  {
    name: TestName.mx,
    type: 'MX',
    class: 'IN',
    ttl: 300,
    data: { preference: 20, exchange: 'mail2.test' },
  },
];

const zone: ReadonlyMap<string, readonly DnsRecord[]> = groupByOwner(records);

/** RCODE values (RFC 1035 §4.1.1) the test servers answer with. */
export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };

/** Header bits (RFC 1035 §4.1.1), below the QR bit that dns-packet sets from `type`. */
const FLAG_AA = 0x0400;
const FLAG_RD = 0x0100;
const FLAG_RA = 0x0080;

/** Longest CNAME chain the zone follows; the test zone has chains of one. */
const MAX_CHAIN = 8;

/**
 * Answers one query from the test zone the way an authoritative server that
 * also does recursion would: the question echoed as sent (case kept, for
 * 0x20-style checks), CNAME chains followed inside the zone, NXDOMAIN/NODATA
 * with the SOA in authority (RFC 2308 §2), REFUSED for names outside `test.`.
 */
export function answerFromTestZone(query: DnsMessage): DnsMessage {
  const question = query.questions?.[0];
  if (question === undefined) return respond(query, Rcode.FORMERR, [], []);
  const name = question.name.toLowerCase();
  if (name === TestName.servfail) return respond(query, Rcode.SERVFAIL, [], []);
  if (name === TestName.refused || !isInZone(name)) return respond(query, Rcode.REFUSED, [], []);

  const answers: DnsRecord[] = [];
  let owner = name;
  for (let step = 0; step < MAX_CHAIN; step++) {
    const rrs = zone.get(owner);
    if (rrs === undefined) {
      // NXDOMAIN applies to the last name of the chain (RFC 6604 §2).
      return respond(query, Rcode.NXDOMAIN, answers, [TEST_ZONE_SOA]);
    }
    const matching = rrs.filter((rr) => rr.type === question.type);
    if (matching.length > 0) return respond(query, Rcode.NOERROR, [...answers, ...matching], []);
    const cname = rrs.find((rr) => rr.type === 'CNAME');
    if (cname === undefined || cname.type !== 'CNAME') break;
    answers.push(cname);
    owner = cname.data.toLowerCase();
  }
  return respond(query, Rcode.NOERROR, answers, [TEST_ZONE_SOA]);
}

/** Builds a response to `query` with the given RCODE and sections. */
export function respond(
  query: DnsMessage,
  rcode: number,
  answers: DnsRecord[],
  authorities: DnsRecord[],
  questions: DnsQuestion[] = query.questions ?? [],
): DnsMessage {
  return {
    id: query.id ?? 0,
    type: 'response',
    flags: FLAG_AA | ((query.flags ?? 0) & FLAG_RD) | FLAG_RA | rcode,
    questions,
    answers,
    authorities,
    additionals: [],
  };
}

function isInZone(name: string): boolean {
  return name === TEST_ZONE_APEX || name.endsWith(`.${TEST_ZONE_APEX}`);
}

function groupByOwner(rrs: readonly DnsRecord[]): Map<string, DnsRecord[]> {
  const byOwner = new Map<string, DnsRecord[]>();
  for (const rr of rrs) {
    const owner = rr.name.toLowerCase();
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), rr]);
  }
  return byOwner;
}
