/**
 * Who may do what on the admin API (SPEC §8). A global admin token (wrangler
 * secret ADMIN_TOKEN) can do everything; a tenant token only touches its own
 * tenant. Any other token on a tenant route (wrong, rotated, another tenant's)
 * gets one answer, 401 `invalid token`, whether or not the tenant exists: the
 * caller learns that the token is bad, never which tenants exist.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import type { AppEnv } from '../app-env';
import { HttpError } from '../errors';
import { type TenantRecord, tenantStore } from '../tenants/tenant-store';
import { constantTimeEqual, hashToken } from '../tenants/tenant-token';
import { verifySignedPath } from './signed-link';

/**
 * Parses `Authorization: Bearer …` (401 when missing or malformed) and keeps
 * the token for the handlers, which know what is being accessed. A GET of a
 * trace page may instead carry a signed link (`?expires=…&sig=…`, see
 * signed-link.ts): valid for exactly its own path, it stands for the caller
 * the link was issued to; invalid or expired, it is 401.
 */
export function adminBearer(): MiddlewareHandler<AppEnv> {
  const bearer = bearerAuth<AppEnv>({
    verifyToken: (token, c) => {
      c.set('credential', token);
      return token.length > 0;
    },
  });
  return async function adminAuth(c, next) {
    const sig = c.req.query('sig');
    if (sig === undefined) return bearer(c, next);
    const secret = c.env.ADMIN_TOKEN;
    const valid =
      c.req.method === 'GET' &&
      c.req.path.endsWith('/view') &&
      typeof secret === 'string' &&
      secret.length > 0 &&
      (await verifySignedPath(secret, c.req.path, c.req.query('expires'), sig, Date.now()));
    if (!valid) throw new HttpError(401, 'invalid or expired link');
    c.set('credential', '');
    c.set('signedLink', true);
    return next();
  };
}

function isAdmin(c: Context<AppEnv>): boolean {
  // The link's signature covers this exact path, so it is what the admin
  // (or the tenant) who was handed it may read here: nothing else.
  if (c.get('signedLink') === true) return true;
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
