/**
 * Who may do what on the admin API (SPEC §8). A global admin token (wrangler
 * secret ADMIN_TOKEN) can do everything; a tenant token only touches its own
 * tenant. Any other token on a tenant route (wrong, rotated, another tenant's)
 * gets one answer, 401 `invalid token`, whether or not the tenant exists: the
 * caller learns that the token is bad, never which tenants exist.
 */
import type { Context } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import type { AppEnv } from '../app-env';
import { HttpError } from '../errors';
import { type TenantRecord, tenantStore } from '../tenants/tenant-store';
import { constantTimeEqual, hashToken } from '../tenants/tenant-token';

/**
 * Parses `Authorization: Bearer …` (401 when missing or malformed) and keeps
 * the token for the handlers, which know what is being accessed.
 */
export function adminBearer() {
  return bearerAuth<AppEnv>({
    verifyToken: (token, c) => {
      c.set('credential', token);
      return token.length > 0;
    },
  });
}

function isAdmin(c: Context<AppEnv>): boolean {
  const admin = c.env.ADMIN_TOKEN;
  // An unset or empty secret must never match anything.
  return (
    typeof admin === 'string' && admin.length > 0 && constantTimeEqual(c.get('credential'), admin)
  );
}

/**
 * Admin-only operations: 403 for any other token. A deployment without the
 * secret says so, instead of a bare 403 that looks like a wrong token.
 */
export function requireAdmin(c: Context<AppEnv>): void {
  if (!c.env.ADMIN_TOKEN) {
    throw new HttpError(
      403,
      'ADMIN_TOKEN is not set: admin-only routes are off (wrangler secret put ADMIN_TOKEN; .dev.vars under wrangler dev)',
    );
  }
  if (!isAdmin(c)) throw new HttpError(403, 'forbidden');
}

/** RFC 6750 §3.1: the challenge that tells a client its bearer token was refused. */
const INVALID_TOKEN = { 'www-authenticate': 'Bearer error="invalid_token"' };

/**
 * The tenant's record when the caller is the admin or holds this tenant's
 * token. The admin gets 404 for an unknown tenant; anyone else gets 401
 * `invalid token`, whether or not the tenant exists.
 */
export async function requireTenant(c: Context<AppEnv>, id: string): Promise<TenantRecord> {
  const record = await tenantStore(c.env.TENANTS).get(id);
  if (isAdmin(c)) {
    if (!record) throw new HttpError(404, 'not found');
    return record;
  }
  // Hash even when the tenant is unknown, so both cases take the same time.
  const presented = await hashToken(c.get('credential'));
  if (!record || !constantTimeEqual(presented, record.tokenHash)) {
    throw new HttpError(401, 'invalid token', INVALID_TOKEN);
  }
  return record;
}
