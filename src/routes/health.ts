/**
 * Probes. `/health` is liveness: the isolate answers, nothing else is
 * touched. `/ready` is readiness: the deployment's config parses (docs/configuration.md §1,
 * the default tenant's UPSTREAMS included) and its bindings exist, so a
 * deploy that would answer every query with 500 shows up as 503 here.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { loadConfig } from '../env';
import { ConfigError } from '../errors';

const NO_STORE = { 'cache-control': 'no-store' };

/** The bindings every request path needs; a missing one is a broken wrangler.toml. */
const REQUIRED_BINDINGS = ['TENANTS', 'DOMAIN_POOL', 'RATE_LIMITER'] as const;

export const healthRoutes = new Hono<AppEnv>()
  .get('/health', (c) => c.json({ status: 'ok' }, 200, NO_STORE))
  .get('/ready', (c) => {
    const missing = REQUIRED_BINDINGS.filter((name) => c.env[name] === undefined);
    if (missing.length > 0) {
      return c.json(
        { status: 'not ready', error: `missing binding: ${missing.join(', ')}` },
        503,
        NO_STORE,
      );
    }
    try {
      const config = loadConfig(c.env);
      return c.json(
        { status: 'ready', upstreams: config.upstreams.length, fanoutMode: config.fanout.mode },
        200,
        NO_STORE,
      );
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return c.json({ status: 'not ready', error: error.message }, 503, NO_STORE);
    }
  });
