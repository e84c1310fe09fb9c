/**
 * Who may open which console page. The console never decides more than the
 * admin API would: admin-only pages need an admin session, a tenant session
 * reaches its own tenant only (the API's requireTenant rule), and a tenant
 * session ends as soon as its token is rotated or the tenant deleted.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { HttpError } from '../errors';
import { tenantStore } from '../tenants/tenant-store';
import { endSession, readSession, type Session } from './console-session';

export const SIGN_IN_PATH = '/admin/sign-in';

/** Pages behind it need a live session; without one the browser goes to the sign-in form. */
export function consoleSession(): MiddlewareHandler<AppEnv> {
  return async function consoleSession(c, next) {
    const session = await readSession(c);
    if (!session) return c.redirect(SIGN_IN_PATH, 303);
    if (session.role === 'tenant') {
      const record = await tenantStore(c.env.TENANTS).get(session.tenant);
      if (!record?.tokenHash.startsWith(session.tokenHash)) {
        endSession(c);
        return c.redirect(`${SIGN_IN_PATH}?ended=1`, 303);
      }
    }
    c.set('session', session);
    return next();
  };
}

/** Admin-only pages (tenant list, health, metrics, other tenants' lookups). */
export function requireAdminSession(session: Session): void {
  if (session.role !== 'admin') throw new HttpError(403, 'forbidden: admin only');
}

/** A tenant's pages: the admin, or that tenant. Same 403 whether or not the tenant exists. */
export function requireTenantAccess(session: Session, tenant: string): void {
  if (session.role === 'tenant' && session.tenant !== tenant) {
    throw new HttpError(403, 'forbidden');
  }
}
