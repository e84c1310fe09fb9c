/**
 * Drives the console like a browser: form posts with an Origin header, the
 * session cookie carried from response to request, redirects not followed.
 */
import { callWorker, ORIGIN } from '../routes/worker-client';

export interface Page {
  readonly status: number;
  readonly location: string | null;
  readonly html: string;
  readonly setCookie: string | null;
}

async function send(path: string, init: RequestInit, origin: string): Promise<Page> {
  const { response, background } = await callWorker(new Request(new URL(path, origin), init));
  const html = await response.text();
  await background;
  return {
    status: response.status,
    location: response.headers.get('location'),
    html,
    setCookie: response.headers.get('set-cookie'),
  };
}

/** `name=value` of a Set-Cookie header, as a browser sends it back. */
export function cookieOf(setCookie: string | null): string {
  const pair = setCookie?.split(';')[0];
  if (!pair) throw new Error('no session cookie was set');
  return pair;
}

export function getPage(path: string, cookie?: string, origin = ORIGIN): Promise<Page> {
  return send(path, { headers: cookie ? { cookie } : {} }, origin);
}

export function postForm(
  path: string,
  fields: Record<string, string>,
  options: { cookie?: string; origin?: string | null; base?: string } = {},
): Promise<Page> {
  const base = options.base ?? ORIGIN;
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
  };
  // A browser sends Origin with every form POST; null leaves it out.
  const origin = options.origin === undefined ? base : options.origin;
  if (origin !== null) headers.origin = origin;
  if (options.cookie) headers.cookie = options.cookie;
  return send(path, { method: 'POST', headers, body: new URLSearchParams(fields) }, base);
}

/** Signs in and returns the session cookie to send back. */
export async function signIn(token: string, tenant = ''): Promise<string> {
  const page = await postForm('/admin/sign-in', { token, tenant });
  if (page.status !== 303) throw new Error(`sign-in: ${page.status} ${page.html.slice(0, 200)}`);
  return cookieOf(page.setCookie);
}
