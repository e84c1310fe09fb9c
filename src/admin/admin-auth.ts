/**
 * Who may do what on the admin API (docs/operations.md §2). A global admin token (wrangler
 * secret ADMIN_TOKEN) can do everything; a tenant token only touches its own
 * tenant. Any other token on a tenant route (wrong, rotated, another tenant's)
 * gets one answer, 401 `invalid token`, whether or not the tenant exists: the
 * caller learns that the token is bad, never which tenants exist.
 *
 * In front of that: the admin API refuses to run with a weak ADMIN_TOKEN,
 * and a client that keeps failing to authenticate is limited.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../app-env';
import { ConfigError, HttpError } from '../errors';
import { clientRateKey } from '../tenants/client-rate-key';
import { isValidTenantId } from '../tenants/tenant-host';
import { type TenantRecord, tenantStore } from '../tenants/tenant-store';
import { constantTimeEqual, hashToken } from '../tenants/tenant-token';
import { ClientLockout } from './client-lockout';
import { verifySignedPath } from './signed-link';

/**
 * 32 characters: `openssl rand -hex 16` (128 bits) or any password manager's
 * default. A shorter secret is likely typed by hand, and the admin token opens
 * every tenant; the failure limit below slows online guessing, it cannot make
 * a guessable token safe.
 */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

/**
 * ADMIN_FAILURE_LIMITER's period in wrangler.toml (60 s): how long a client
 * past its budget stays locked out in this isolate, and its Retry-After.
 */
export const ADMIN_FAILURE_PERIOD_S = 60;

/** An admin request whose credentials do not open what it asks for. */
export class AdminAuthError extends HttpError {
  override readonly name = 'AdminAuthError';
}

/**
 * Refuses every admin route while ADMIN_TOKEN is set but shorter than
 * MIN_ADMIN_TOKEN_LENGTH, with a message naming the key (docs/configuration.md §1: invalid
 * config fails loudly). DoH keeps working: only the admin API is refused. An
 * unset token is no weakness (nothing to guess): admin-only routes then say
 * so (requireAdmin) and tenant tokens keep working.
 */
export function strongAdminToken(): MiddlewareHandler<AppEnv> {
  return async function strongAdminToken(c, next) {
    const problem = adminTokenProblem(c.env.ADMIN_TOKEN);
    if (problem !== null) {
      console.error(JSON.stringify({ event: 'admin-api-refused', key: 'ADMIN_TOKEN', problem }));
      throw new ConfigError('ADMIN_TOKEN', problem);
    }
    return next();
  };
}

/** Why this ADMIN_TOKEN is refused, or null when it is unset or long enough. */
export function adminTokenProblem(token: string | undefined): string | null {
  if (token === undefined || token === '' || token.length >= MIN_ADMIN_TOKEN_LENGTH) return null;
  return `is ${token.length} characters long; set one of at least ${MIN_ADMIN_TOKEN_LENGTH} characters (wrangler secret put ADMIN_TOKEN): the admin API is off until then`;
}

const lockout = new ClientLockout();

/**
 * Counts failed authentications per client (IPv4 address or IPv6 /64) in
 * ADMIN_FAILURE_LIMITER. Past the budget the failing request gets 429, and
 * this isolate answers the client's admin requests with 429 until the
 * period ends, without checking a token or reading KV. Successful requests
 * are never counted, so working admins and tenants are not slowed down.
 */
export function adminFailureLimit(): MiddlewareHandler<AppEnv> {
  return async function adminFailureLimit(c, next) {
    const client = clientRateKey(c.req.header('cf-connecting-ip'));
    if (lockout.isLocked(client, Date.now())) throw tooManyFailures();
    await next();
    if (!isAuthFailure(c.error)) return;
    const { success } = await c.env.ADMIN_FAILURE_LIMITER.limit({ key: client });
    if (success) return;
    lockout.lock(client, Date.now() + ADMIN_FAILURE_PERIOD_S * 1000);
    console.warn(JSON.stringify({ event: 'admin-failure-limit', client }));
    c.res = tooManyFailures().toResponse();
  };
}

function tooManyFailures(): HttpError {
  return new HttpError(429, 'too many failed admin requests', {
    'retry-after': String(ADMIN_FAILURE_PERIOD_S),
  });
}

/** Missing or malformed credentials (bearerAuth: 400/401) or ones that open nothing here. */
function isAuthFailure(error: unknown): boolean {
  if (error instanceof AdminAuthError) return true;
  const status =
    error instanceof HttpError || error instanceof HTTPException ? error.status : undefined;
  return status === 400 || status === 401 || status === 403;
}

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

/**
 * The console's in-process calls for a tenant session carry the admin token
 * (the one credential the console holds) plus this header naming the tenant:
 * such a call has exactly that tenant's rights, as if it carried the tenant's
 * own token. Without the admin token the header means nothing.
 */
export const ACTING_TENANT_HEADER = 'x-console-acting-tenant';

/** True when the request carries the global admin token. */
function holdsAdminToken(c: Context<AppEnv>): boolean {
  const admin = c.env.ADMIN_TOKEN;
  // An unset or empty secret must never match anything.
  return (
    typeof admin === 'string' && admin.length > 0 && constantTimeEqual(c.get('credential'), admin)
  );
}

/** True when the request carries the global admin token as the admin (or a link it signed for this path). */
export function isAdminCaller(c: Context<AppEnv>): boolean {
  // The link's signature covers this exact path, so it is what the admin
  // (or the tenant) who was handed it may read here: nothing else.
  if (c.get('signedLink') === true) return true;
  return holdsAdminToken(c) && c.req.header(ACTING_TENANT_HEADER) === undefined;
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
  if (!isAdminCaller(c)) throw new AdminAuthError(403, 'forbidden');
}

/** RFC 6750 §3.1: the challenge that tells a client its bearer token was refused. */
const INVALID_TOKEN = { 'www-authenticate': 'Bearer error="invalid_token"' };

/**
 * The tenant's record when the caller is the admin or holds this tenant's
 * token. The admin gets 404 for an unknown tenant; anyone else gets 401
 * `invalid token`, whether or not the tenant exists. An id that is not a
 * tenant id at all (pattern, at most 63 octets) is a 400 before any KV read:
 * KV refuses keys over 512 bytes with an exception.
 */
export async function requireTenant(c: Context<AppEnv>, id: string): Promise<TenantRecord> {
  if (!isValidTenantId(id)) {
    throw new HttpError(
      400,
      'tenant id: must be one DNS label of lower-case letters, digits and hyphens (at most 63)',
    );
  }
  const record = await tenantStore(c.env.TENANTS).get(id);
  if (isAdminCaller(c)) {
    if (!record) throw new HttpError(404, 'not found');
    return record;
  }
  const acting = c.req.header(ACTING_TENANT_HEADER);
  if (acting !== undefined && holdsAdminToken(c)) {
    if (record && acting === id) return record;
    throw new AdminAuthError(401, 'invalid token', INVALID_TOKEN);
  }
  // Hash even when the tenant is unknown, so both cases take the same time.
  const presented = await hashToken(c.get('credential'));
  if (!record || !constantTimeEqual(presented, record.tokenHash)) {
    throw new AdminAuthError(401, 'invalid token', INVALID_TOKEN);
  }
  return record;
}
