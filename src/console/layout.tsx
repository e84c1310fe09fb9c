/**
 * The console's page shell: server-rendered HTML, no script at all (every
 * action is a form), readable from a 360 px phone screen up: the navigation
 * wraps, wide tables scroll inside their own box.
 */

import { raw } from 'hono/html';
import type { Child, FC } from 'hono/jsx';
import type { Session } from './console-session';

const CSS = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
header a{color:#fff;text-decoration:none}header a:hover{text-decoration:underline}
header nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;flex:1}
header form{margin:0}
main{padding:1rem;max-width:64rem;margin:0 auto}
h1{font-size:1.35rem;margin:.25rem 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.scroll{overflow-x:auto;background:#fff;border:1px solid #d9dde3;border-radius:4px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e6e9ed;vertical-align:top;white-space:nowrap}
td.wrap{white-space:normal;word-break:break-all}
form.stack{background:#fff;border:1px solid #d9dde3;border-radius:4px;padding:1rem;display:grid;gap:.8rem;max-width:40rem}
label{display:grid;gap:.2rem;font-weight:600}
label small{font-weight:400;color:#5b6574}
input,select,textarea{font:inherit;padding:.4rem;border:1px solid #b8c0cc;border-radius:3px;width:100%;background:#fff}
input[type=checkbox]{width:auto}
textarea{min-height:5rem}
.field-error{color:#a4161a;font-weight:600}
[aria-invalid=true]{border-color:#a4161a;background:#fff5f5}
button,.button{font:inherit;padding:.45rem .9rem;border:0;border-radius:3px;background:#2357c6;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.danger{background:#a4161a}
header button{background:#3d4757}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}
.actions form{margin:0}
.notice{background:#eaf2ff;border:1px solid #b6cdf5;padding:.6rem .8rem;border-radius:4px;margin:0 0 1rem;word-break:break-all}
.error{background:#fff0f0;border:1px solid #f0b4b4;padding:.6rem .8rem;border-radius:4px;margin:0 0 1rem}
.timeline{max-width:100%;height:auto;background:#fff;border:1px solid #d9dde3;border-radius:4px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;background:#fff;border:1px solid #d9dde3;border-radius:4px;padding:.6rem .8rem}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;word-break:break-all}
.muted{color:#5b6574}
@media (max-width:480px){dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.4rem}}
`;

export interface LayoutProps {
  readonly title: string;
  readonly session: Session | null;
  readonly children?: Child;
}

export const Layout: FC<LayoutProps> = ({ title, session, children }) => (
  <>
    {raw('<!doctype html>')}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title} · edge-resolver console</title>
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <header>
          <strong>edge-resolver</strong>
          {session ? <Navigation session={session} /> : <nav />}
          {session ? (
            <form method="post" action="/admin/sign-out">
              <button type="submit">Sign out</button>
            </form>
          ) : null}
        </header>
        <main>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  </>
);

const Navigation: FC<{ session: Session }> = ({ session }) =>
  session.role === 'admin' ? (
    <nav>
      <a href="/admin/ui/tenants">Tenants</a>
      <a href="/admin/ui/health">Upstream health</a>
      <a href="/admin/ui/lookups">Recent lookups</a>
      <a href="/admin/ui/pools">Pools</a>
      <a href="/admin/ui/metrics">Metrics</a>
    </nav>
  ) : (
    <nav>
      <a href={`/admin/ui/tenants/${session.tenant}`}>Tenant {session.tenant}</a>
      <a href={`/admin/ui/lookups?tenant=${session.tenant}`}>Recent lookups</a>
      <a href={`/admin/ui/pools?tenant=${session.tenant}`}>Pools</a>
    </nav>
  );

/** A table that scrolls sideways on a narrow screen instead of widening the page. */
export const Table: FC<{ head: readonly string[]; children?: Child }> = ({ head, children }) => (
  <div class="scroll">
    <table>
      <thead>
        <tr>
          {head.map((h) => (
            <th>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  </div>
);
