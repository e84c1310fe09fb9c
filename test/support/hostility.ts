/**
 * Query names that make the hostile loopback upstreams (hostile-servers.ts)
 * answer with data a public resolver must never pass on, shared by the Node
 * servers and the tests in workerd. A name is `<behaviour>.<unique>.hostile.test`;
 * the first label picks the behaviour, the unique label keeps test files apart.
 *
 * Two upstreams answer every name: `hostile` at once with the bad answer,
 * `honest` a little later with a clean one, so a bad answer that is not
 * rejected always wins the race and reaches the client.
 */
export const HOSTILE_ZONE = 'hostile.test';

/** Server names in the request log (`/stats`). */
export const HOSTILE_SERVER = 'hostile';
export const HONEST_SERVER = 'honest';

export const Hostility = {
  /** A record for the name plus records for a foreign owner and for a name off the chain. */
  foreign: 'foreign',
  /** A CNAME chain plus records beside it: data next to a CNAME, another CNAME into the chain. */
  offChain: 'off-chain',
  /** Two different CNAMEs for the question's name. */
  twoCnames: 'two-cnames',
  /** A CNAME loop back to the question's name. */
  loop: 'loop',
  /** A CNAME chain longer than any resolver follows. */
  longChain: 'long-chain',
  /** An IN answer that also carries a record of class CH for the name. */
  otherClass: 'other-class',
  /** Answers CD=1 queries with data that failed validation (CHECKING_DISABLED_ADDRESS). */
  checkingDisabled: 'cd',
  /** TXT in class CH (`ch-…`) for CH queries, TXT in class IN (`in-…`) for IN queries. */
  byClass: 'class',
  /** NOERROR NODATA after a CNAME, with an SOA (TTL NODATA_SOA_TTL, MINIMUM NODATA_SOA_MINIMUM). */
  nodataBehindCname: 'nodata-cname',
  /** A clean answer; hostile and honest know one address each. */
  plain: 'plain',
} as const;

/** `ttl-<seconds>`: a clean answer whose records carry that TTL on the wire. */
export function ttlBehaviour(ttl: number): string {
  return `ttl-${ttl}`;
}

/** The address the hostile upstream puts on the question's name when its answer is otherwise usable. */
export const HOSTILE_ADDRESS = '198.51.100.20';
/** The honest upstream's address for every A question. */
export const HONEST_ADDRESS = '198.51.100.21';
/**
 * Every record a client must never get carries an address in 203.0.113.0/24
 * (RFC 5737 TEST-NET-3) or a name outside the question's chain.
 */
export const POISON_PREFIX = '203.0.113.';
/** What a CD=1 query gets: data a validating upstream would have refused (RFC 4035 §3.2.2). */
export const CHECKING_DISABLED_ADDRESS = '192.0.2.66';
/** How long the honest upstream takes: long enough that the hostile one always answers first. */
export const HONEST_DELAY_MS = 30;
/** Links of the `long-chain` answer. */
export const LONG_CHAIN_LINKS = 20;
export const NODATA_SOA_TTL = 900;
export const NODATA_SOA_MINIMUM = 300;
/** TTL of every record that has no TTL of its own to test. */
export const HOSTILE_TTL = 120;
