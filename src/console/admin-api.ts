/**
 * The console speaks to the admin API in-process, with real requests through
 * the whole app: every validation, authorization and storage rule stays in
 * one place (src/routes/admin.ts), and the console only renders what the API
 * answers.
 *
 * The console calls with ADMIN_TOKEN, having checked the session first: an
 * admin session reaches everything, a tenant session only pages of its own
 * tenant (console-auth.ts). A session never holds a token to call with, so
 * this is the one credential the console has; a tenant session's calls also
 * name the tenant (ACTING_TENANT_HEADER), which gives them that tenant's
 * rights and no more, so admin-only fields stay the admin's in the console too.
 */
import type { Context, ExecutionContext } from 'hono';
import { ACTING_TENANT_HEADER } from '../admin/admin-auth';
import type { AppEnv } from '../app-env';
import type { Bindings } from '../env';

export type AppFetch = (
  request: Request,
  env: Bindings,
  ctx: ExecutionContext,
) => Response | Promise<Response>;

export interface ApiAnswer {
  readonly status: number;
  /** The parsed JSON body; null for an empty or non-JSON body. */
  readonly body: unknown;
  readonly text: string;
}

/** Calls `/admin<path>` with `token` as the bearer credential. */
export async function callAdminApi(
  c: Context<AppEnv>,
  fetchApp: AppFetch,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer> {
  const headers = new Headers({ authorization: `Bearer ${token}` });
  const session = c.get('session');
  if (session?.role === 'tenant') headers.set(ACTING_TENANT_HEADER, session.tenant);
  // The client's address, so per-IP limits on the admin API see the real caller.
  const ip = c.req.header('cf-connecting-ip');
  if (ip) headers.set('cf-connecting-ip', ip);
  if (body !== undefined) headers.set('content-type', 'application/json');
  const request = new Request(new URL(`/admin${path}`, c.req.url), {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const response = await fetchApp(request, c.env, c.executionCtx);
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed, text };
}

/** The API's `{"error": "…"}` message, or the status line when there is none. */
export function apiError(answer: ApiAnswer): string {
  const body = answer.body;
  if (typeof body === 'object' && body !== null && 'error' in body) {
    return String((body as { error: unknown }).error);
  }
  return answer.text.trim() || `HTTP ${answer.status}`;
}
