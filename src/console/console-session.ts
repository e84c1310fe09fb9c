/**
 * The console's session: a token typed into the sign-in form is checked once
 * against the admin API and exchanged for a short-lived signed cookie that
 * says who signed in, never the token itself. The cookie is signed with a key
 * derived from ADMIN_TOKEN, so changing that secret ends every session; a
 * tenant session also carries a prefix of its token's hash, so rotating or
 * deleting the tenant ends it (console-auth.ts checks it on every request).
 */
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { AppEnv } from '../app-env';
import { isLoopbackHost } from '../upstream/is-loopback-host';

export type Session =
  | { readonly role: 'admin'; readonly expires: number }
  | {
      readonly role: 'tenant';
      readonly tenant: string;
      /** The first TOKEN_HASH_PREFIX hex digits of the tenant's token hash at sign-in. */
      readonly tokenHash: string;
      readonly expires: number;
    };

export const SESSION_COOKIE = 'edge_console';

/** Short-lived: a forgotten signed-in browser is an open door for at most this long. */
export const SESSION_SECONDS = 30 * 60;

/** 64 bits of the hash: enough to notice a rotation, useless to anyone who reads the cookie. */
export const TOKEN_HASH_PREFIX = 16;

/** Every console path is under /admin; the cookie goes nowhere else (the DoH routes never see it). */
const COOKIE_PATH = '/admin';

type ConsoleContext = Context<AppEnv>;

/** The signing key; null when ADMIN_TOKEN is unset (the console is then off). */
function signingKey(c: ConsoleContext): string | null {
  const secret = c.env.ADMIN_TOKEN;
  // Domain separation: the same secret signs trace links (src/admin/signed-link.ts).
  return secret ? `edge-console-session\0${secret}` : null;
}

/**
 * `Secure` everywhere except plain HTTP on a loopback host (`wrangler dev`),
 * where a browser would drop a Secure cookie set over http.
 */
export function isDevelopmentOrigin(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && isLoopbackHost(hostname.replace(/^\[|\]$/g, ''));
}

export async function startSession(
  c: ConsoleContext,
  who: { role: 'admin' } | { role: 'tenant'; tenant: string; tokenHash: string },
): Promise<void> {
  const key = signingKey(c);
  if (!key) return;
  const expires = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
  const value =
    who.role === 'admin'
      ? `admin.${expires}`
      : `tenant.${who.tenant}.${who.tokenHash.slice(0, TOKEN_HASH_PREFIX)}.${expires}`;
  await setSignedCookie(c, SESSION_COOKIE, value, key, {
    path: COOKIE_PATH,
    httpOnly: true,
    secure: !isDevelopmentOrigin(c.req.url),
    sameSite: 'Strict',
    maxAge: SESSION_SECONDS,
  });
}

export function endSession(c: ConsoleContext): void {
  deleteCookie(c, SESSION_COOKIE, {
    path: COOKIE_PATH,
    httpOnly: true,
    secure: !isDevelopmentOrigin(c.req.url),
    sameSite: 'Strict',
  });
}

/** The session in a valid, unexpired signed cookie, or null. */
export async function readSession(c: ConsoleContext): Promise<Session | null> {
  const key = signingKey(c);
  if (!key) return null;
  const value = await getSignedCookie(c, key, SESSION_COOKIE);
  if (typeof value !== 'string') return null;
  const parts = value.split('.');
  const expires = Number(parts.at(-1));
  if (!Number.isInteger(expires) || expires <= Date.now() / 1000) return null;
  if (parts.length === 2 && parts[0] === 'admin') return { role: 'admin', expires };
  const [role, tenant, tokenHash] = parts;
  if (parts.length === 4 && role === 'tenant' && tenant && tokenHash) {
    return { role: 'tenant', tenant, tokenHash, expires };
  }
  return null;
}
