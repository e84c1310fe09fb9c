/**
 * `npm run dev:local` and `npm run dev:https`: the resolver under `wrangler dev`
 * answering real queries with no internet. Two loopback upstreams (DoH and
 * DNS over TCP, the Node servers the tests use) serve the small `test.` zone
 * (a.test, multi.test, v6.test, cname.test, loopback.test, …); the worker
 * runs the working tree (so it reloads on save) with UPSTREAMS pointing at them.
 *
 *   --https   also an HTTP/2 TLS front (nghttpx, self-signed certificate made
 *             with openssl) for kdig +https, curl --doh-url, browsers
 *   --public  keep wrangler.toml's public UPSTREAMS (needs internet) instead
 *             of the loopback zone servers
 *   anything else is passed on to `wrangler dev` (e.g. `--var FANOUT_MODE:parallel`)
 *
 * DEV_PORT (8787), DEV_HTTPS_PORT (8443), DEV_ZONE_TCP_PORT (5300) and
 * DEV_ZONE_DOH_PORT (8053) choose the ports: fixed, so the README's tenant
 * walkthrough can name the zone server as a tenant upstream. Every process
 * started here has its own process group, is stopped by its PID on Ctrl-C,
 * and takes the others down with it when it exits.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT, stopGroup, wranglerEnv } from '../bench/lib/worker-process';
import { RequestLog } from '../test/support/request-log';
import { startZoneServers } from '../test/support/zone-servers';

const BIN = join(PROJECT_ROOT, 'node_modules/.bin');
const WORKER_PORT = Number(process.env.DEV_PORT ?? 8787);
const HTTPS_PORT = Number(process.env.DEV_HTTPS_PORT ?? 8443);
const ZONE_TCP_PORT = Number(process.env.DEV_ZONE_TCP_PORT ?? 5300);
const ZONE_DOH_PORT = Number(process.env.DEV_ZONE_DOH_PORT ?? 8053);
/** Where the self-signed certificate lives; `.wrangler/` is git-ignored. */
const TLS_DIR = join(PROJECT_ROOT, '.wrangler/dev-https');
const DEV_CERT = join(TLS_DIR, 'cert.pem');
const DEV_KEY = join(TLS_DIR, 'key.pem');
/** A year: a browser or NSS database told to trust it should not need it again soon. */
const CERT_DAYS = 365;
/** Regenerate when it expires within a day. */
const CERT_MIN_SECONDS_LEFT = 86_400;
/** A cold workerd on a busy 2-core machine takes a while; past this something is wrong. */
const READY_TIMEOUT_MS = 90_000;
const READY_POLL_MS = 200;
/** wrangler stops workerd on SIGINT; after this the process group gets SIGKILL. */
const STOP_GRACE_MS = 10_000;

const say = (text = '') => process.stdout.write(`${text}\n`);

interface Running {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** wrangler tidies up workerd on SIGINT (Ctrl-C); nghttpx stops on SIGTERM. */
  readonly signal: NodeJS.Signals;
}

const running: Running[] = [];
let stopping = false;
let closeZone: (() => Promise<void>) | undefined;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const https = args.includes('--https');
  const publicUpstreams = args.includes('--public');
  const wranglerArgs = args.filter((a) => a !== '--https' && a !== '--public');

  const vars = devVarsArgs();
  if (!publicUpstreams) {
    const zone = await startZoneServers(new RequestLog(), {
      doh: ZONE_DOH_PORT,
      tcp: ZONE_TCP_PORT,
    });
    closeZone = zone.close;
    const upstreams = `zone-doh=http://127.0.0.1:${zone.dohPort}/dns-query,zone-tcp=tcp://127.0.0.1:${zone.tcpPort}`;
    vars.push('--var', `UPSTREAMS:${upstreams}`, '--var', 'ALLOW_LOOPBACK_UPSTREAMS:true');
    say(`Loopback upstreams serving the test. zone: ${upstreams}`);
  }
  start('wrangler', 'SIGINT', join(BIN, 'wrangler'), [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(WORKER_PORT),
    '--show-interactive-dev-session=false',
    ...vars,
    ...wranglerArgs,
  ]);
  const origin = `http://127.0.0.1:${WORKER_PORT}`;
  await waitFor('wrangler dev', () => httpOk(`${origin}/health`));

  if (https) {
    await ensureCertificate();
    // --conf=/dev/null: ignore a system-wide /etc/nghttpx/nghttpx.conf.
    start('nghttpx', 'SIGTERM', 'nghttpx', [
      '--conf=/dev/null',
      `--frontend=127.0.0.1,${HTTPS_PORT}`,
      `--backend=127.0.0.1,${WORKER_PORT}`,
      '--workers=1',
      '--no-ocsp',
      // Its NOTICE lines (listening, worker spawned) say nothing the banner below does not.
      '--log-level=WARN',
      DEV_KEY,
      DEV_CERT,
    ]);
    const ca = await readFile(DEV_CERT);
    await waitFor('nghttpx', () => httpsOk(`https://127.0.0.1:${HTTPS_PORT}/health`, ca));
  }

  say('');
  say(`Resolver ready on ${origin}${publicUpstreams ? ' (public upstreams)' : ''}. Try:`);
  say(`  curl -s '${origin}/resolve?name=multi.test'`);
  if (https) {
    const cert = relative(process.cwd(), DEV_CERT);
    say(
      `DoH over HTTP/2 and TLS on https://127.0.0.1:${HTTPS_PORT}/dns-query (certificate ${cert}):`,
    );
    say(`  kdig @127.0.0.1 -p ${HTTPS_PORT} +https +tls-ca=${cert} +tls-hostname=localhost a.test`);
  }
  say('Ctrl-C stops everything.');
}

/**
 * wrangler dev reads ADMIN_TOKEN from .dev.vars. Without one, the example's
 * development token is passed as an env file, so the README's admin calls
 * work; nothing is written into the checkout (a .dev.vars would also make
 * every test file announce it under `npm test`).
 */
function devVarsArgs(): string[] {
  if (existsSync(join(PROJECT_ROOT, '.dev.vars'))) return [];
  say('ADMIN_TOKEN from .dev.vars.example (no .dev.vars here).');
  return ['--env-file', join(PROJECT_ROOT, '.dev.vars.example')];
}

async function ensureCertificate(): Promise<void> {
  const exec = promisify(execFile);
  try {
    await exec('openssl', [
      'x509',
      '-checkend',
      String(CERT_MIN_SECONDS_LEFT),
      '-noout',
      '-in',
      DEV_CERT,
    ]);
    return; // Keep it: a browser or NSS database may already trust it.
  } catch {
    // Missing or about to expire.
  }
  await mkdir(TLS_DIR, { recursive: true });
  await exec('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    String(CERT_DAYS),
    '-subj',
    '/CN=edge-resolver dev',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    DEV_KEY,
    '-out',
    DEV_CERT,
  ]);
  say(`Made a self-signed certificate for localhost and 127.0.0.1: ${DEV_CERT}`);
}

function start(name: string, signal: NodeJS.Signals, command: string, args: string[]): void {
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: developerEnv(),
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} did not start (is ${command} installed?)`);
  child.on('error', (error) => void shutdown(1, `${name}: ${error.message}`));
  child.on('exit', (code, sig) => {
    if (!stopping) void shutdown(1, `${name} exited (${sig ?? code})`);
  });
  running.push({ name, child, pid, signal });
}

/** wranglerEnv() without its CI=true, unless this is CI: a developer wants wrangler's usual output. */
function developerEnv(): NodeJS.ProcessEnv {
  const env = wranglerEnv();
  if (process.env.CI === undefined) delete env.CI;
  return env;
}

async function waitFor(what: string, ready: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + READY_TIMEOUT_MS;
  while (!(await ready())) {
    if (stopping) return;
    if (Date.now() > until) throw new Error(`${what} not ready after ${READY_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function httpsOk(url: string, ca: Buffer): Promise<boolean> {
  return new Promise((done) => {
    const req = request(url, { ca }, (response) => {
      response.resume();
      done(response.statusCode === 200);
    });
    req.on('error', () => done(false));
    req.end();
  });
}

/** Newest first, so the TLS front goes before the worker behind it. */
async function shutdown(code: number, reason?: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (reason) process.stderr.write(`dev-local: ${reason}; stopping\n`);
  for (const started of [...running].reverse()) await stopRunning(started);
  await closeZone?.();
  process.exit(code);
}

function stopRunning({ child, pid, signal }: Running): Promise<void> {
  return stopGroup(child, pid, signal, STOP_GRACE_MS);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));
main().catch((error: unknown) => void shutdown(1, String(error)));
