/**
 * Parses the UPSTREAMS setting (docs/architecture.md §2, §9): a comma-separated list of
 * `name=url` or `url`. Every mistake is a ConfigError naming UPSTREAMS and the
 * entry, so a bad deployment fails loudly at the first request instead of
 * silently resolving through fewer upstreams.
 */
import { ConfigError } from '../errors';
import { isLoopbackHost } from './is-loopback-host';
import type { Upstream, UpstreamScheme } from './types';

const KEY = 'UPSTREAMS';

/** Ports used when a URL names none: DNS over TCP (RFC 7766), DoT (RFC 7858 §3.1), HTTP, HTTPS. */
const DEFAULT_PORTS: Readonly<Record<UpstreamScheme, number>> = {
  tcp: 53,
  tls: 853,
  http: 80,
  https: 443,
};

const SCHEMES = Object.keys(DEFAULT_PORTS) as UpstreamScheme[];

/**
 * Upstream names end up in logs, Prometheus labels and Server-Timing metric
 * names (an HTTP token), so they are limited to characters valid in all three.
 */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** `name=` prefix: only when what precedes the first `=` cannot be part of a URL scheme/authority. */
const NAMED_ENTRY = /^([^=:/]*)=(.*)$/s;

/** Scheme, then the host (bracketed IPv6 or anything up to the port/path), then an optional port. */
const AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:?#]*)(?::([^/?#]*))?/;

/** `user[:password]@` before the host: never valid for an upstream, and it would confuse the port. */
const CREDENTIALS = /^[^:/?#]*:\/\/[^/?#]*@/;

const MAX_PORT = 65535;

export interface ParseUpstreamsOptions {
  /** Allow 127.0.0.0/8, ::1 and localhost (ALLOW_LOOPBACK_UPSTREAMS, development only). */
  readonly allowLoopback: boolean;
}

/**
 * Parses an UPSTREAMS value.
 *
 * - `https://…` and `http://…`: DoH POST (RFC 8484 §4.1); the URL is kept as given, normalized.
 * - `tcp://host[:port]` (default 53, RFC 7766) and `tls://host[:port]` (default 853, RFC 7858);
 *   no path, query or credentials.
 * - The name defaults to the host; names must be unique (case-insensitive).
 *
 * @throws ConfigError('UPSTREAMS', …) naming the offending entry.
 * @see https://www.rfc-editor.org/rfc/rfc8484#section-4.1
 */
export function parseUpstreams(value: string, options: ParseUpstreamsOptions): Upstream[] {
  if (value.trim() === '') throw new ConfigError(KEY, 'the list is empty');
  const upstreams: Upstream[] = [];
  const entryByName = new Map<string, string>();
  for (const [index, raw] of value.split(',').entries()) {
    const entry = raw.trim();
    if (entry === '') throw new ConfigError(KEY, `entry ${index + 1} is empty`);
    const upstream = parseEntry(entry, options);
    const key = upstream.name.toLowerCase();
    const previous = entryByName.get(key);
    if (previous !== undefined) {
      throw new ConfigError(
        KEY,
        `duplicate name "${upstream.name}" in "${previous}" and "${entry}" (write name=url to tell them apart)`,
      );
    }
    entryByName.set(key, entry);
    upstreams.push(upstream);
  }
  return upstreams;
}

function parseEntry(entry: string, options: ParseUpstreamsOptions): Upstream {
  const named = NAMED_ENTRY.exec(entry);
  const explicitName = named?.[1]?.trim();
  const url = (named?.[2] ?? entry).trim();
  if (explicitName !== undefined && !NAME_PATTERN.test(explicitName)) {
    throw new ConfigError(
      KEY,
      `bad name "${explicitName}" in "${entry}" (1-63 of A-Z a-z 0-9 . _ -, starting with a letter or digit)`,
    );
  }

  if (CREDENTIALS.test(url))
    throw new ConfigError(KEY, `credentials in "${entry}" are not supported`);
  const authority = AUTHORITY.exec(url);
  if (authority === null) throw new ConfigError(KEY, `"${entry}" is not a URL (scheme://host…)`);
  const scheme = SCHEMES.find((s) => s === authority[1]?.toLowerCase());
  if (scheme === undefined) {
    throw new ConfigError(
      KEY,
      `unknown scheme "${authority[1]}" in "${entry}" (expected ${SCHEMES.join(', ')})`,
    );
  }
  const port = parsePort(authority[3], scheme, entry);
  const hostname = canonicalHost(authority[2] ?? '', entry);

  if (isLoopbackHost(hostname) && !options.allowLoopback) {
    throw new ConfigError(
      KEY,
      `loopback host "${hostname}" in "${entry}" is only allowed with ALLOW_LOOPBACK_UPSTREAMS=true (development)`,
    );
  }

  const displayHost = hostname.includes(':') ? `[${hostname}]` : hostname;
  return {
    name: explicitName ?? displayHost,
    url:
      scheme === 'http' || scheme === 'https'
        ? httpUrl(url, entry)
        : streamUrl(url, entry, `${scheme}://${displayHost}:${port}`),
    scheme,
    hostname,
    port,
  };
}

function parsePort(text: string | undefined, scheme: UpstreamScheme, entry: string): number {
  if (text === undefined) return DEFAULT_PORTS[scheme];
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= MAX_PORT)) {
    throw new ConfigError(KEY, `bad port "${text}" in "${entry}" (1-${MAX_PORT})`);
  }
  return port;
}

/**
 * Canonicalizes a host the way fetch() will see it: WHATWG URL parsing turns
 * `127.1`, `0x7f.0.0.1` or `[0:0::1]` into one form, so the loopback check
 * cannot be dodged by spelling. IPv6 is returned without brackets, as
 * `connect()` takes it.
 */
function canonicalHost(host: string, entry: string): string {
  if (host === '') throw new ConfigError(KEY, `no host in "${entry}"`);
  let hostname: string;
  try {
    hostname = new URL(`http://${host}/`).hostname;
  } catch {
    throw new ConfigError(KEY, `bad host "${host}" in "${entry}"`);
  }
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

function httpUrl(url: string, entry: string): string {
  try {
    return new URL(url).href;
  } catch {
    throw new ConfigError(KEY, `"${entry}" is not a valid URL`);
  }
}

/**
 * tcp:// and tls:// name a socket address only: anything after it is a
 * mistake worth reporting. Returns the canonical `scheme://host:port`.
 */
function streamUrl(url: string, entry: string, canonical: string): string {
  const rest = url.replace(AUTHORITY, '');
  if (rest !== '' && rest !== '/') {
    throw new ConfigError(KEY, `unexpected "${rest}" after host:port in "${entry}"`);
  }
  return canonical;
}
