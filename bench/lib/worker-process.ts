/**
 * Runs a worker under `wrangler dev` (workerd) for the bench and the demo,
 * and reads its structured query log from stdout.
 *
 * The resolver is bundled once per run (`wrangler deploy --dry-run`) and
 * every instance serves that snapshot with `--no-bundle`: other people edit
 * `src/` while a bench runs, and wrangler dev would otherwise live-reload the
 * worker (and reset its isolate) in the middle of a measurement.
 *
 * Each instance gets its own process group (`detached`, i.e. setsid), its own
 * ports and persistence directory, and is stopped by its PID with SIGINT.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FanoutQueryLog } from '../../src/observability/query-log';
import { findUnusedPort } from '../../test/support/loopback-listener';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(PROJECT_ROOT, 'node_modules/.bin');
/** wrangler dev usually answers within a few seconds; a cold workerd on 2 busy cores takes longer. */
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 100;
/** After SIGINT wrangler shuts workerd down; past this it gets SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** Environment for wrangler: the pinned Node first on PATH, no telemetry, no network. */
export function wranglerEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${BIN}:${process.env.PATH ?? ''}`,
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    CI: 'true',
    NO_COLOR: '1',
  };
}

/** One line of the resolver's structured log, as the worker writes it. */
/** Only lines with a fan-out timeline: cache hits and joined clients have none. */
export type QueryLogLine = FanoutQueryLog;

export interface WorkerInstance {
  readonly origin: string;
  readonly pid: number;
  /** The query log line for `name` (lower case), waiting up to `timeoutMs`; null if none came. */
  waitForLog(name: string, timeoutMs: number): Promise<QueryLogLine | null>;
  logFor(name: string): QueryLogLine | undefined;
  /** Every stdout/stderr line that was not a query log line (for diagnosis). */
  readonly otherOutput: readonly string[];
  stop(): Promise<void>;
}

/** A worker script bundled into a directory with a matching wrangler.toml. */
export interface WorkerBundle {
  readonly config: string;
  /** Removes the temporary directories. */
  dispose(): Promise<void>;
}

export interface ResolverBundle extends WorkerBundle {
  readonly revision: string;
  /** Workarounds applied to the bundle so it starts (see startResolver); empty when none were needed. */
  readonly patches: string[];
}

/** Which resolver source to bundle: the last commit (default), any commit, or the working tree. */
export type ResolverSource = 'head' | 'worktree' | { readonly commit: string };

/** `BENCH_SOURCE`: unset or `head`, `worktree`, or a commit. */
export function resolverSource(value: string | undefined): ResolverSource {
  if (value === undefined || value === '' || value === 'head') return 'head';
  return value === 'worktree' ? 'worktree' : { commit: value };
}

/**
 * Bundles the resolver into a temporary directory and writes a wrangler.toml
 * next to it: the project's own, with `main` pointing at the bundle.
 *
 * A commit (`head`: the last one) is exported with `git archive` (read-only for
 * the repository): the working tree is shared with people in the middle of
 * edits, and a bench should measure something that has a commit id.
 */
export async function bundleResolver(source: ResolverSource): Promise<ResolverBundle> {
  const exec = promisify(execFile);
  const outdir = await mkdtemp(join(tmpdir(), 'resolver-bench-'));
  let root = PROJECT_ROOT;
  const rev = typeof source === 'string' ? 'HEAD' : source.commit;
  const commit = (
    await exec('git', ['rev-parse', '--short', `${rev}^{commit}`], { cwd: PROJECT_ROOT })
  ).stdout.trim();
  let revision = `${commit}+worktree`;
  if (source !== 'worktree') {
    root = await mkdtemp(join(tmpdir(), 'resolver-bench-src-'));
    await exec('sh', ['-c', `git -C "${PROJECT_ROOT}" archive "${commit}" | tar -x -C "${root}"`]);
    await symlink(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'));
    revision = commit;
  }
  await exec(join(BIN, 'wrangler'), ['deploy', '--dry-run', '--outdir', outdir], {
    cwd: root,
    env: wranglerEnv(),
  });
  const patches: string[] = [];
  const toml = await readFile(join(root, 'wrangler.toml'), 'utf8');
  const config = join(outdir, 'wrangler.toml');
  await writeFile(config, toml.replace(/^main\s*=.*$/m, 'main = "index.js"'));
  const dispose = async () => {
    await rm(outdir, { recursive: true, force: true });
    if (root !== PROJECT_ROOT) await rm(root, { recursive: true, force: true });
  };
  return { config, revision, patches, dispose };
}

/** What workerd says when a module does I/O, timers or randomness at module scope. */
const GLOBAL_SCOPE_ERROR = 'Disallowed operation called within global scope';

/**
 * Starts the bundled resolver. Workaround for a resolver bug in some commits
 * (up to 475a654): the version clock's isolate id was drawn with
 * `crypto.randomUUID()` at module scope, which workerd refuses, so the worker
 * did not start under wrangler dev. Only if the start fails that way, the
 * bundle (never src/) gets a fixed isolate id and is started again; a bench
 * runs one isolate per worker, so that changes nothing it measures. The
 * patch is recorded in `bundle.patches` for the report.
 */
export async function startResolver(
  bundle: ResolverBundle,
  options: Omit<StartOptions, 'config' | 'noBundle'>,
): Promise<WorkerInstance> {
  const start = () => startWorker({ ...options, config: bundle.config, noBundle: true });
  try {
    return await start();
  } catch (error) {
    if (!String(error).includes(GLOBAL_SCOPE_ERROR)) throw error;
    const script = join(dirname(bundle.config), 'index.js');
    const code = await readFile(script, 'utf8');
    const pattern = /new VersionClock\(crypto\.randomUUID\(\),/g;
    if (!pattern.test(code)) throw error;
    await writeFile(script, code.replace(pattern, 'new VersionClock("bench-isolate",'));
    const patch =
      'module-scope crypto.randomUUID() for the version clock replaced by a fixed isolate id';
    if (!bundle.patches.includes(patch)) bundle.patches.push(patch);
    return start();
  }
}

export interface StartOptions {
  /** wrangler.toml to run. */
  readonly config: string;
  /** Serve the script as is (a pre-built bundle). */
  readonly noBundle: boolean;
  readonly vars: Readonly<Record<string, string>>;
  /** More `wrangler dev` flags, e.g. `--log-level warn` for load runs. */
  readonly extraArgs?: readonly string[];
}

/**
 * Ports are picked free and handed to wrangler dev, which binds them a moment
 * later (and binds sockets of its own); another process may take one in that
 * gap. Such a start is retried on fresh ports instead of failing the whole run.
 */
const START_ATTEMPTS = 3;

export async function startWorker(options: StartOptions): Promise<WorkerInstance> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWorkerOnce(options);
    } catch (error) {
      if (attempt >= START_ATTEMPTS || !String(error).includes('Address already in use'))
        throw error;
      console.error(`[bench] wrangler dev lost a port race; starting it again (${attempt})`);
    }
  }
}

async function startWorkerOnce(options: StartOptions): Promise<WorkerInstance> {
  const port = await findUnusedPort();
  const inspectorPort = await findUnusedPort();
  // Durable Object storage is one SQLite file per object: keep it off the disk.
  const persist = await mkdtemp(join(await stateRoot(), 'resolver-bench-state-'));
  const args = [
    'dev',
    '--config',
    options.config,
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    persist,
    '--show-interactive-dev-session=false',
    ...(options.noBundle ? ['--no-bundle'] : []),
    ...(options.extraArgs ?? []),
    ...Object.entries(options.vars).flatMap(([key, value]) => ['--var', `${key}:${value}`]),
  ];
  const child = spawn(join(BIN, 'wrangler'), args, {
    cwd: dirname(options.config),
    env: wranglerEnv(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('wrangler dev did not start');

  const logs = new Map<string, QueryLogLine>();
  const waiters = new Map<string, (line: QueryLogLine) => void>();
  const otherOutput: string[] = [];
  const onLine = (line: string) => {
    const parsed = parseQueryLog(line);
    if (!parsed) {
      otherOutput.push(line);
      return;
    }
    const name = parsed.name.toLowerCase();
    logs.set(name, parsed);
    waiters.get(name)?.(parsed);
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine);

  const origin = `http://127.0.0.1:${port}`;
  const instance: WorkerInstance = {
    origin,
    pid,
    otherOutput,
    logFor: (name) => logs.get(name.toLowerCase()),
    waitForLog: (name, timeoutMs) => {
      const key = name.toLowerCase();
      const known = logs.get(key);
      if (known) return Promise.resolve(known);
      return new Promise((done) => {
        const timer = setTimeout(() => {
          waiters.delete(key);
          done(null);
        }, timeoutMs);
        waiters.set(key, (line) => {
          clearTimeout(timer);
          waiters.delete(key);
          done(line);
        });
      });
    },
    stop: async () => {
      await stopGroup(child, pid);
      await rm(persist, { recursive: true, force: true });
    },
  };
  try {
    await waitUntilReady(origin, child, otherOutput);
  } catch (error) {
    await instance.stop();
    throw error;
  }
  return instance;
}

const SHARED_MEMORY = '/dev/shm';

async function stateRoot(): Promise<string> {
  try {
    await access(SHARED_MEMORY, constants.W_OK);
    return SHARED_MEMORY;
  } catch {
    return tmpdir();
  }
}

function parseQueryLog(line: string): QueryLogLine | null {
  const start = line.indexOf('{"event":"query"');
  if (start < 0) return null;
  try {
    const value = JSON.parse(line.slice(start)) as QueryLogLine;
    return typeof value.name === 'string' && Array.isArray(value.upstreams) ? value : null;
  } catch {
    return null;
  }
}

async function waitUntilReady(
  origin: string,
  child: ChildProcess,
  output: string[],
): Promise<void> {
  const until = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < until) {
    if (child.exitCode !== null) {
      throw new Error(`wrangler dev exited (${child.exitCode}):\n${output.slice(-20).join('\n')}`);
    }
    try {
      const response = await fetch(`${origin}/health`);
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
  throw new Error(
    `wrangler dev not ready after ${READY_TIMEOUT_MS} ms:\n${output.slice(-20).join('\n')}`,
  );
}

/**
 * `signal` (SIGINT: what Ctrl-C sends) to a process group we created (wrangler
 * and its workerd), SIGKILL if it lingers past `graceMs`.
 */
export async function stopGroup(
  child: ChildProcess,
  pid: number,
  signal: NodeJS.Signals = 'SIGINT',
  graceMs = STOP_GRACE_MS,
): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    signalGroup(pid, signal);
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  // workerd may outlive wrangler by a moment; the group id is still ours.
  signalGroup(pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
