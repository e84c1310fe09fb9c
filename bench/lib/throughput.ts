/**
 * Cache-hit throughput: wrk against one URL for a fixed time, same settings
 * for the resolver and the bare baseline worker.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

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
  const { stdout } = await promisify(execFile)(
    'wrk',
    [
      `-t${settings.threads}`,
      `-c${settings.connections}`,
      `-d${settings.seconds}s`,
      '--latency',
      '-H',
      'accept: application/dns-message',
      url,
    ],
    { timeout: (settings.seconds + 30) * 1000 },
  );
  return parseWrk(stdout);
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
