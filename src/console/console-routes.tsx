/**
 * The operator console at `/admin/` (server-rendered Hono JSX, no script),
 * mounted at the root with full paths so `/admin/` itself is one of them:
 * sign-in and sign-out, and the tenant pages. Every change goes through the
 * admin API in-process (admin-api.ts), so the console adds no rule of its
 * own beyond who may open which page (console-auth.ts).
 *
 * Forms are CSRF-safe twice over: the session cookie is SameSite=Strict, and
 * Hono's csrf middleware refuses a form POST whose Origin (or
 * Sec-Fetch-Site) is not this origin.
 */
import { type Context, Hono } from 'hono';
import { csrf } from 'hono/csrf';
import type { AppEnv } from '../app-env';
import { HttpError } from '../errors';
import type { TenantConfig } from '../tenants/tenant-config';
import { isValidTenantId } from '../tenants/tenant-host';
import { hashToken } from '../tenants/tenant-token';
import { type AppFetch, apiError, callAdminApi } from './admin-api';
import {
  consoleSession,
  requireAdminSession,
  requireTenantAccess,
  SIGN_IN_PATH,
} from './console-auth';
import { endSession, readSession, type Session, startSession } from './console-session';
import { Layout, Table } from './layout';
import { observePages } from './observe-pages';
import {
  configOfValues,
  type FieldErrors,
  fieldErrorsOf,
  TENANT_FIELDS,
  TenantForm,
  type TenantFormValues,
  valuesOfConfig,
} from './tenant-form';

type ConsoleContext = Context<AppEnv>;

/**
 * Console pages hold tenant configs and fresh tokens: never cached, never
 * framed, no script, no loads from elsewhere (the trace SVG is this origin's).
 */
const CONSOLE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Tenants per page of the list. */
const TENANT_PAGE = 50;

const NEW_TENANT: TenantFormValues = { ecs: 'strip', rateLimit: 'on' };

export function consoleRoutes(fetchApp: AppFetch): Hono<AppEnv> {
  const ui = new Hono<AppEnv>();
  const api = (c: ConsoleContext, method: string, path: string, body?: unknown) =>
    callAdminApi(c, fetchApp, c.env.ADMIN_TOKEN ?? '', method, path, body);

  // Only the console's own paths: the JSON API under /admin keeps its own rules.
  for (const path of ['/admin', '/admin/', '/admin/sign-in', '/admin/sign-out', '/admin/ui/*']) {
    ui.use(path, async function consoleHeaders(c, next) {
      await next();
      c.header('content-security-policy', CONSOLE_CSP);
      c.header('cache-control', 'no-store');
    });
    ui.use(path, csrf());
  }

  const home = async (c: ConsoleContext) => {
    const session = await readSession(c);
    if (!session) return c.redirect(SIGN_IN_PATH, 303);
    return c.redirect(homeOf(session), 303);
  };
  ui.get('/admin', home);
  ui.get('/admin/', home);

  ui.get('/admin/sign-in', (c) =>
    c.html(
      <SignInPage
        ended={c.req.query('ended') === '1'}
        error={c.env.ADMIN_TOKEN ? null : NO_ADMIN_TOKEN}
      />,
    ),
  );

  ui.post('/admin/sign-in', async (c) => {
    if (!c.env.ADMIN_TOKEN) return c.html(<SignInPage error={NO_ADMIN_TOKEN} />, 503);
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const tenant = typeof form.tenant === 'string' ? form.tenant.trim() : '';
    // The API checks the token, exactly as it checks a bearer header.
    const asked = tenant === '' ? '/health' : `/tenants/${encodeURIComponent(tenant)}`;
    const valid =
      token !== '' &&
      (tenant === '' || isValidTenantId(tenant)) &&
      (await callAdminApi(c, fetchApp, token, 'GET', asked)).status === 200;
    if (!valid) {
      return c.html(<SignInPage tenant={tenant} error="invalid token" />, 401);
    }
    if (tenant === '') await startSession(c, { role: 'admin' });
    else await startSession(c, { role: 'tenant', tenant, tokenHash: await hashToken(token) });
    return c.redirect(tenant === '' ? '/admin/ui/tenants' : `/admin/ui/tenants/${tenant}`, 303);
  });

  ui.post('/admin/sign-out', (c) => {
    endSession(c);
    return c.redirect(SIGN_IN_PATH, 303);
  });

  ui.use('/admin/ui/*', consoleSession());

  ui.get('/admin/ui/tenants', async (c) => {
    const session = c.get('session');
    if (session.role === 'tenant') return c.redirect(homeOf(session), 303);
    const cursor = c.req.query('cursor');
    const query = `?limit=${TENANT_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const answer = await api(c, 'GET', `/tenants${query}`);
    if (answer.status !== 200) throw new HttpError(answer.status, apiError(answer));
    const page = answer.body as {
      tenants: { id: string; createdAt: string | null; updatedAt: string | null }[];
      cursor: string | null;
    };
    return c.html(
      <Layout title="Tenants" session={session}>
        <div class="actions">
          <a class="button" href="/admin/ui/tenants/new">
            New tenant
          </a>
        </div>
        <Table head={['id', 'created', 'updated', '']}>
          {page.tenants.map((t) => (
            <tr>
              <td>
                <a href={`/admin/ui/tenants/${t.id}`}>{t.id}</a>
              </td>
              <td>{t.createdAt ?? ''}</td>
              <td>{t.updatedAt ?? ''}</td>
              <td>
                <a href={`/admin/ui/lookups?tenant=${t.id}`}>lookups</a>
              </td>
            </tr>
          ))}
        </Table>
        {page.tenants.length === 0 ? <p class="muted">No tenants yet.</p> : null}
        {page.cursor ? (
          <p>
            <a href={`/admin/ui/tenants?cursor=${encodeURIComponent(page.cursor)}`}>Next page</a>
          </p>
        ) : null}
        <p class="muted">
          Newly created tenants may take a moment to appear (KV listing is eventually consistent).
        </p>
      </Layout>,
    );
  });

  ui.get('/admin/ui/tenants/new', (c) => {
    requireAdminSession(c.get('session'));
    return c.html(
      <NewTenantPage session={c.get('session')} values={NEW_TENANT} errors={new Map()} />,
    );
  });

  ui.post('/admin/ui/tenants/new', async (c) => {
    const session = c.get('session');
    requireAdminSession(session);
    const values = await formValues(c);
    const id = values.id ?? '';
    const answer = await api(c, 'POST', '/tenants', { id, config: configOfValues(values) });
    if (answer.status === 201) {
      const { token } = answer.body as { token: string };
      return c.html(
        <TokenPage session={session} tenant={id} token={token} title={`Tenant ${id} created`} />,
        201,
      );
    }
    const errors =
      answer.status === 409
        ? new Map([['id', ['a tenant with this id exists']]])
        : fieldErrorsOf(apiError(answer), TENANT_FIELDS);
    return c.html(<NewTenantPage session={session} values={values} errors={errors} />, 400);
  });

  ui.get('/admin/ui/tenants/:id', async (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    requireTenantAccess(session, id);
    const answer = await api(c, 'GET', `/tenants/${encodeURIComponent(id)}`);
    if (answer.status !== 200)
      throw new HttpError(answer.status === 404 ? 404 : 502, apiError(answer));
    const record = answer.body as { config: TenantConfig; createdAt: string; updatedAt: string };
    return c.html(
      <EditTenantPage
        session={session}
        id={id}
        values={valuesOfConfig(record.config)}
        errors={new Map()}
        notice={c.req.query('saved') === '1' ? 'Saved.' : null}
        updatedAt={record.updatedAt}
      />,
    );
  });

  ui.post('/admin/ui/tenants/:id', async (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    requireTenantAccess(session, id);
    const values = await formValues(c);
    // PUT: the form shows every field, so what it sends is the whole config;
    // without `rateLimit` (a tenant's form cannot change it) the API keeps the stored one.
    const { rateLimit, ...tenantFields } = configOfValues(values);
    const config = session.role === 'admin' ? { ...tenantFields, rateLimit } : tenantFields;
    const answer = await api(c, 'PUT', `/tenants/${encodeURIComponent(id)}`, config);
    if (answer.status === 200) return c.redirect(`/admin/ui/tenants/${id}?saved=1`, 303);
    if (answer.status === 404) throw new HttpError(404, apiError(answer));
    const errors = fieldErrorsOf(apiError(answer), TENANT_FIELDS);
    return c.html(
      <EditTenantPage
        session={session}
        id={id}
        values={values}
        errors={errors}
        notice={null}
        updatedAt={null}
      />,
      400,
    );
  });

  ui.post('/admin/ui/tenants/:id/token', async (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    requireTenantAccess(session, id);
    const answer = await api(c, 'POST', `/tenants/${encodeURIComponent(id)}/token`);
    if (answer.status !== 200)
      throw new HttpError(answer.status === 404 ? 404 : 502, apiError(answer));
    const { token } = answer.body as { token: string };
    // The old token's session ends with it; the tenant who rotated keeps working with the new one.
    if (session.role === 'tenant') {
      await startSession(c, { role: 'tenant', tenant: id, tokenHash: await hashToken(token) });
    }
    return c.html(
      <TokenPage session={session} tenant={id} token={token} title={`New token for ${id}`} />,
    );
  });

  ui.get('/admin/ui/tenants/:id/delete', (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    requireTenantAccess(session, id);
    return c.html(
      <Layout title={`Delete tenant ${id}?`} session={session}>
        <p>
          Its token stops working and its DoH endpoint answers 404 (within 30 s in every isolate).
          Its pools expire with their TTLs. This cannot be undone.
        </p>
        <div class="actions">
          <form method="post" action={`/admin/ui/tenants/${id}/delete`}>
            <button class="danger" type="submit">
              Delete {id}
            </button>
          </form>
          <a class="button" href={`/admin/ui/tenants/${id}`}>
            Cancel
          </a>
        </div>
      </Layout>,
    );
  });

  ui.post('/admin/ui/tenants/:id/delete', async (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    requireTenantAccess(session, id);
    const answer = await api(c, 'DELETE', `/tenants/${encodeURIComponent(id)}`);
    if (answer.status !== 204)
      throw new HttpError(answer.status === 404 ? 404 : 502, apiError(answer));
    if (session.role === 'tenant') {
      endSession(c);
      return c.redirect(SIGN_IN_PATH, 303);
    }
    return c.redirect('/admin/ui/tenants', 303);
  });

  ui.route('/admin/ui', observePages(api));
  return ui;
}

const NO_ADMIN_TOKEN =
  'The console is off: ADMIN_TOKEN is not set (wrangler secret put ADMIN_TOKEN; .dev.vars under wrangler dev). It signs the session cookies.';

function homeOf(session: Session): string {
  return session.role === 'admin' ? '/admin/ui/tenants' : `/admin/ui/tenants/${session.tenant}`;
}

async function formValues(c: ConsoleContext): Promise<TenantFormValues> {
  const form = await c.req.parseBody();
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) {
    if (typeof value === 'string') values[key] = value;
  }
  return values;
}

const SignInPage = (props: { error?: string | null; tenant?: string; ended?: boolean }) => (
  <Layout title="Sign in" session={null}>
    {props.ended ? (
      <p class="notice">Your session ended: the token was rotated or the tenant deleted.</p>
    ) : null}
    {props.error ? <p class="error">{props.error}</p> : null}
    <form class="stack" method="post" action="/admin/sign-in">
      <label>
        Token <small>the admin token, or a tenant's token</small>
        <input name="token" type="password" autocomplete="current-password" required />
      </label>
      <label>
        Tenant id <small>empty for the admin token</small>
        <input name="tenant" value={props.tenant ?? ''} autocapitalize="none" />
      </label>
      <div>
        <button type="submit">Sign in</button>
      </div>
      <p class="muted">
        The token is checked once; the browser keeps a signed session cookie for 30 minutes, never
        the token.
      </p>
    </form>
  </Layout>
);

const NewTenantPage = (props: {
  session: Session;
  values: TenantFormValues;
  errors: FieldErrors;
}) => (
  <Layout title="New tenant" session={props.session}>
    <TenantForm
      action="/admin/ui/tenants/new"
      withId={true}
      values={props.values}
      errors={props.errors}
      submit="Create tenant"
      adminFields={true}
    />
  </Layout>
);

const EditTenantPage = (props: {
  session: Session;
  id: string;
  values: TenantFormValues;
  errors: FieldErrors;
  notice: string | null;
  updatedAt: string | null;
}) => (
  <Layout title={`Tenant ${props.id}`} session={props.session}>
    {props.notice ? <p class="notice">{props.notice}</p> : null}
    {props.errors.size > 0 ? <p class="error">Not saved: see the fields marked below.</p> : null}
    <div class="actions">
      <a class="button" href={`/admin/ui/lookups?tenant=${props.id}`}>
        Recent lookups
      </a>
      <a class="button" href={`/admin/ui/pools?tenant=${props.id}`}>
        Pools
      </a>
      <form method="post" action={`/admin/ui/tenants/${props.id}/token`}>
        <button type="submit">Rotate token</button>
      </form>
      <a class="button danger" href={`/admin/ui/tenants/${props.id}/delete`}>
        Delete…
      </a>
    </div>
    {props.updatedAt ? <p class="muted">Last changed {props.updatedAt}.</p> : null}
    <TenantForm
      action={`/admin/ui/tenants/${props.id}`}
      withId={false}
      values={props.values}
      errors={props.errors}
      submit="Save"
      adminFields={props.session.role === 'admin'}
    />
  </Layout>
);

const TokenPage = (props: { session: Session; tenant: string; token: string; title: string }) => (
  <Layout title={props.title} session={props.session}>
    <p class="notice">
      Token, shown once: <code id="token">{props.token}</code>
    </p>
    <p>
      DoH clients use <code>/t/{props.tenant}/dns-query</code> (or the tenant's own host name); the
      token signs in to this console and the admin API.
    </p>
    <p>
      <a href={`/admin/ui/tenants/${props.tenant}`}>Back to tenant {props.tenant}</a>
    </p>
  </Layout>
);
