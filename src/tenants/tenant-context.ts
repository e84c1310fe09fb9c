/**
 * Which tenant a DoH request is for (SPEC §8): `<tenant>.<RESOLVER_DOMAIN>`,
 * or `/t/<tenant>/…` for local development where subdomains are awkward. Both
 * forms end in the same lookup, so they cannot disagree.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { loadConfig } from '../env';
import { HttpError } from '../errors';
import { DEFAULT_TENANT, defaultResolver, tenantResolver } from '../resolver/isolate-resolver';
import type { Resolver } from '../resolver/resolver';
import { clientRateKey } from './client-rate-key';
import { isValidTenantId, tenantFromHost } from './tenant-host';
import { tenantStore } from './tenant-store';

export interface TenantContext {
  readonly id: string;
  readonly resolver: Resolver;
  readonly rateLimited: boolean;
}

/** Resolves the tenant or answers 404; an unknown tenant never reaches an upstream. */
export function tenantContext(): MiddlewareHandler<AppEnv> {
  return async function tenantContext(c, next) {
    const config = loadConfig(c.env);
    const fromPath = c.req.param('tenant');
    const target =
      fromPath !== undefined
        ? isValidTenantId(fromPath)
          ? { kind: 'tenant' as const, id: fromPath }
          : { kind: 'unknown' as const }
        : // The URL's host is the Host header in Workers, and present even on requests built in code.
          tenantFromHost(new URL(c.req.url).host, config.resolverDomain, { development: true });

    if (target.kind === 'unknown') throw new HttpError(404, 'unknown tenant');
    if (target.kind === 'default') {
      c.set('tenant', { id: DEFAULT_TENANT, resolver: defaultResolver(c.env), rateLimited: true });
      return next();
    }
    const record = await tenantStore(c.env.TENANTS).get(target.id);
    if (!record) throw new HttpError(404, 'unknown tenant');
    c.set('tenant', {
      id: record.id,
      resolver: tenantResolver(c.env, record),
      rateLimited: record.config.rateLimit.enabled,
    });
    return next();
  };
}

/**
 * SPEC §7: the Workers Rate Limiting binding, keyed per (tenant, client), so
 * one noisy client cannot spend another's or another tenant's budget. A
 * client is an IPv4 address or an IPv6 /64 (client-rate-key.ts).
 */
export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const tenant = c.get('tenant');
    if (tenant.rateLimited) {
      const client = clientRateKey(c.req.header('cf-connecting-ip'));
      const { success } = await c.env.RATE_LIMITER.limit({ key: `${tenant.id}|${client}` });
      // Retry-After: the binding's period in wrangler.toml (a fixed window of at most 60 s).
      if (!success) throw new HttpError(429, 'rate limit exceeded', { 'retry-after': '60' });
    }
    return next();
  };
}
