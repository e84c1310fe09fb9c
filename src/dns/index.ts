/**
 * The DNS message layer: wire and JSON queries in, wire and JSON responses out.
 * Pure functions over bytes; only `codec.ts` knows dns-packet.
 */
export {
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
  decodeMessage,
  encodeMessage,
  MalformedMessageError,
} from './codec';
export type { ClientEdns, DnsQuery } from './dns-query';
export { normalizeName } from './domain-name';
export { EDE, type ExtendedError, readExtendedErrors } from './extended-errors';
export {
  type DnsJsonResponse,
  type JsonQueryParse,
  parseJsonQuery,
  toJsonResponse,
} from './json-api';
export { localAnswer } from './local-answer';
export { parseWireQuery, type QueryParseResult } from './query-parser';
export { rcodeName, rcodeNumber } from './rcodes';
export { buildClientResponse, buildErrorResponse } from './responses';
