/**
 * The JSON API in the shape Google and Cloudflare serve
 * (`/resolve?name=example.com&type=AAAA`): parameters in, `Status`/`Answer`
 * out. Everything a JSON client asks is turned into the same DnsQuery a wire
 * client would produce, so both share one resolution path.
 *
 * @see https://developers.google.com/speed/public-dns/docs/doh/json
 * @see https://developers.cloudflare.com/1.1.1.1/encryption/dns-over-https/make-api-requests/dns-json/
 */
import {
  type DnsMessage,
  type DnsRecord,
  FLAGS,
  headerRcode,
  optRecords,
  typeName,
  typeNumber,
} from './codec';
import type { DnsQuery } from './dns-query';
import { normalizeName } from './domain-name';
import { type ExtendedError, readExtendedErrors } from './extended-errors';
import { fqdn, recordTypeNumber, renderRecordData } from './presentation';
import { buildUpstreamQuery } from './upstream-query';

export type JsonQueryParse = { ok: true; query: DnsQuery } | { ok: false; error: string };

export interface DnsJsonQuestion {
  name: string;
  type: number;
}

export interface DnsJsonRecord {
  name: string;
  type: number;
  TTL: number;
  data: string;
}

export interface DnsJsonResponse {
  Status: number;
  TC: boolean;
  RD: boolean;
  RA: boolean;
  AD: boolean;
  CD: boolean;
  Question: DnsJsonQuestion[];
  Answer?: DnsJsonRecord[];
  Authority?: DnsJsonRecord[];
  Additional?: DnsJsonRecord[];
  /** Extended DNS Errors in words, e.g. "EDE(3): stale answer". */
  Comment?: string;
}

/** The largest type number: TYPE is a 16-bit field (RFC 1035 §3.2.2). */
const MAX_TYPE = 0xffff;
/** Types newer than dns-packet's table, accepted by name (IANA RR type registry). */
const TYPE_ALIASES: Readonly<Record<string, number>> = {
  SVCB: 64,
  HTTPS: 65,
  URI: 256,
  OPENPGPKEY: 61,
  SMIMEA: 53,
  CSYNC: 62,
  ZONEMD: 63,
};
/**
 * Types a JSON client cannot ask for: reserved 0 and OPT (not questions),
 * TKEY/TSIG/IXFR/AXFR/MAILB/MAILA (transactions, not lookups). Same set the
 * wire parser refuses.
 */
const REFUSED_TYPES = new Set([0, 41, 249, 250, 251, 252, 253, 254]);

/**
 * Parses JSON API parameters: `name` (required; IDN allowed, trailing dot
 * allowed), `type` (name or number, default A), `cd` and `do` (1/true/0/false,
 * default false). Other parameters (`ct`, `edns_client_subnet`,
 * `random_padding`) are ignored: Client Subnet is never forwarded by default.
 * The query has ID 0, RD=1 and no client EDNS (a JSON client cannot read an
 * OPT record). ANY is accepted here; `localAnswer` answers it.
 */
export function parseJsonQuery(params: URLSearchParams): JsonQueryParse {
  const rawName = params.get('name');
  if (rawName === null || rawName === '') return { ok: false, error: 'missing name parameter' };
  const name = normalizeName(rawName);
  if (!name.ok) return { ok: false, error: `invalid name: ${name.error}` };

  const type = parseType(params.get('type'));
  if (type === null) return { ok: false, error: `invalid type: ${params.get('type')}` };

  const checkingDisabled = parseFlag(params.get('cd'));
  if (checkingDisabled === null) return { ok: false, error: 'invalid cd: use 0, 1, true or false' };
  const dnssecOk = parseFlag(params.get('do'));
  if (dnssecOk === null) return { ok: false, error: 'invalid do: use 0, 1, true or false' };

  const question = { name: name.name, type, qclass: 'IN', checkingDisabled, dnssecOk };
  return {
    ok: true,
    query: {
      id: 0,
      ...question,
      recursionDesired: true,
      edns: null,
      upstreamQuery: buildUpstreamQuery(question),
    },
  };
}

/** A type parameter as a dns-packet type name, or null if it names no queryable type. */
function parseType(value: string | null): string | null {
  if (value === null || value === '') return 'A';
  const upper = value.toUpperCase();
  let number: number | null;
  if (/^\d{1,5}$/.test(value)) number = Number(value);
  else if (/^TYPE\d{1,5}$/.test(upper))
    number = Number(upper.slice(4)); // RFC 3597 §5
  else number = TYPE_ALIASES[upper] ?? typeNumber(upper);
  if (number === null || number > MAX_TYPE || REFUSED_TYPES.has(number)) return null;
  return typeName(number);
}

function parseFlag(value: string | null): boolean | null {
  switch (value?.toLowerCase()) {
    case undefined:
    case '':
    case '0':
    case 'false':
      return false;
    case '1':
    case 'true':
      return true;
    default:
      return null;
  }
}

export interface JsonResponseOptions {
  /** Shown in `Comment`, since a JSON response has no OPT record to carry them. */
  extendedErrors?: readonly ExtendedError[];
  /** Replaces every TTL, as `buildClientResponse` does for stale answers. */
  ttlOverride?: number;
}

/**
 * Renders a response in the JSON API shape. Called with the query and the
 * answer, the question and RD come from the query; called with a complete
 * response message alone (e.g. one decoded from `buildClientResponse` output),
 * they come from the message, and Extended DNS Errors from its OPT record.
 * Names carry their trailing dot and types are numbers, as Google's API does.
 */
export function toJsonResponse(response: DnsMessage): DnsJsonResponse;
export function toJsonResponse(
  query: DnsQuery,
  response: DnsMessage,
  options?: JsonResponseOptions,
): DnsJsonResponse;
export function toJsonResponse(
  queryOrResponse: DnsQuery | DnsMessage,
  maybeResponse?: DnsMessage,
  options: JsonResponseOptions = {},
): DnsJsonResponse {
  const query = isDnsQuery(queryOrResponse) ? queryOrResponse : null;
  const response: DnsMessage = isDnsQuery(queryOrResponse)
    ? (maybeResponse ?? {})
    : queryOrResponse;
  const flags = response.flags ?? 0;
  const extendedRcode = optRecords(response)[0]?.extendedRcode ?? 0;
  const ttl = options.ttlOverride;
  const render = (records: readonly DnsRecord[] | undefined): DnsJsonRecord[] =>
    (records ?? [])
      .filter((record) => record.type !== 'OPT')
      .map((record) => ({
        name: fqdn(record.name),
        type: recordTypeNumber(record.type),
        TTL: ttl ?? ('ttl' in record ? (record.ttl ?? 0) : 0),
        data: renderRecordData(record),
      }));

  const question = query
    ? [{ name: fqdn(query.name), type: recordTypeNumber(query.type) }]
    : (response.questions ?? []).map((q) => ({
        name: fqdn(q.name),
        type: recordTypeNumber(q.type),
      }));
  const json: DnsJsonResponse = {
    Status: (extendedRcode << 4) | headerRcode(response),
    TC: (flags & FLAGS.TRUNCATED_RESPONSE) !== 0,
    RD: query ? query.recursionDesired : (flags & FLAGS.RECURSION_DESIRED) !== 0,
    // We are a recursive service whatever the upstream's header says.
    RA: true,
    AD: (flags & FLAGS.AUTHENTIC_DATA) !== 0,
    // RFC 4035 §3.2.2: the query's CD bit, whatever an upstream's header said.
    CD: query ? query.checkingDisabled : (flags & FLAGS.CHECKING_DISABLED) !== 0,
    Question: question,
  };
  const answer = render(response.answers);
  const authority = render(response.authorities);
  const additional = render(response.additionals);
  if (answer.length > 0) json.Answer = answer;
  if (authority.length > 0) json.Authority = authority;
  if (additional.length > 0) json.Additional = additional;
  const errors = options.extendedErrors ?? readExtendedErrors(response);
  if (errors.length > 0) {
    json.Comment = errors.map((e) => `EDE(${e.code})${e.text ? `: ${e.text}` : ''}`).join('; ');
  }
  return json;
}

function isDnsQuery(value: DnsQuery | DnsMessage): value is DnsQuery {
  return 'upstreamQuery' in value;
}
