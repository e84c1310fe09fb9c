/**
 * Who may do what on the admin API (SPEC §8). A global admin token (wrangler
 * secret ADMIN_TOKEN) can do everything; a tenant token only touches its own
 * tenant. A tenant token on another tenant gets the same 404 as a tenant that
 * does not exist, so the API never tells which tenants exist.
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

/** Admin-only operations: 403 for any other valid-looking token. */
export function requireAdmin(c: Context<AppEnv>): void {
  if (!isAdmin(c)) throw new HttpError(403, 'forbidden');
}

/**
 * The tenant's record when the caller is the admin or holds this tenant's
 * token; 404 otherwise, whether or not the tenant exists.
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
    throw new HttpError(404, 'not found');
  }
  return record;
}
