/**
 * Cache-hit throughput: wrk against one URL for a fixed time, same settings
 * for the resolver and the bare baseline worker.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Requests spread round-robin over CLIENT_ADDRESSES clients (RFC 2544
 * benchmarking range 198.18.0.0/15), like a resolver's real traffic: many
 * clients, each asking again and again. The resolver allows a client 600
 * requests a minute (docs/operations.md §4), bought from the rate-limit
 * binding in leases of 10; 256 clients keep a whole throughput run (under
 * 20 s at about 1,000 req/s) well inside their budgets, so no 429 is
 * measured, and the binding is called about once per 10 requests.
 */
const CLIENT_ADDRESSES = 256;
const ROTATE_CLIENT_IP_LUA = `
local n = 0
request = function()
  n = n + 1
  local ip = string.format("198.18.0.%d", n % ${CLIENT_ADDRESSES})
  return wrk.format(nil, nil, {
    ["Host"] = wrk.host .. ":" .. wrk.port,
    ["accept"] = "application/dns-message",
    ["cf-connecting-ip"] = ip,
  })
end
`;

export interface LoadSettings {
  readonly threads: number;
  readonly connections: number;
  readonly seconds: number;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly socketErrors: number;
}

export async function hasWrk(): Promise<boolean> {
  try {
    await promisify(execFile)('wrk', ['--version']);
    return true;
  } catch (error) {
    // wrk prints its version and exits 1.
    return typeof error === 'object' && error !== null && 'stdout' in error
      ? String((error as { stdout: unknown }).stdout).includes('wrk')
      : false;
  }
}

export async function runWrk(url: string, settings: LoadSettings): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-wrk-'));
  const script = join(dir, 'rotate-client-ip.lua');
  await writeFile(script, ROTATE_CLIENT_IP_LUA);
  try {
    const { stdout } = await promisify(execFile)(
      'wrk',
      [
        `-t${settings.threads}`,
        `-c${settings.connections}`,
        `-d${settings.seconds}s`,
        '--latency',
        '-s',
        script,
        url,
      ],
      { timeout: (settings.seconds + 30) * 1000 },
    );
    return parseWrk(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function parseWrk(out: string): LoadResult {
  const number = (pattern: RegExp) => Number(pattern.exec(out)?.[1] ?? Number.NaN);
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    latencyP50Ms: toMs(/\s50%\s+([\d.]+\w+)/.exec(out)?.[1]),
    latencyP99Ms: toMs(/\s99%\s+([\d.]+\w+)/.exec(out)?.[1]),
    requests: number(/(\d+) requests in/),
    non2xx: /Non-2xx or 3xx responses:\s+(\d+)/.test(out)
      ? number(/Non-2xx or 3xx responses:\s+(\d+)/)
      : 0,
    socketErrors: /Socket errors:/.test(out)
      ? (/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out) ?? [])
          .slice(1)
          .reduce((sum, v) => sum + Number(v), 0)
      : 0,
  };
}

/** wrk prints `812.00us`, `1.23ms`, `2.01s`. */
function toMs(value: string | undefined): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value ?? '');
  if (!match) return Number.NaN;
  const scale: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
  return Number(match[1]) * (scale[match[2] ?? 'ms'] ?? 1);
}
