import { Hono } from 'hono';
import type { AppEnv } from '../app-env';

/** Liveness probe: answers without touching config or upstreams. */
export const healthRoutes = new Hono<AppEnv>().get('/health', (c) =>
  c.json({ status: 'ok' }, 200, { 'cache-control': 'no-store' }),
);
