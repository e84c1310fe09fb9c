import type { TimingVariables } from 'hono/timing';
import type { Session } from './console/console-session';
import type { Bindings } from './env';
import type { PhaseTimer } from './observability/phase-timing';
import type { TenantContext } from './tenants/tenant-context';

/** Hono generics of this app: the Worker bindings and per-request variables. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: TimingVariables & {
    /** Set first on every DoH and JSON route: where the request's own time goes. */
    phases: PhaseTimer;
    /** Set by the tenant middleware on every DoH and JSON route. */
    tenant: TenantContext;
    /** Set by the admin bearer middleware: the presented token, not yet authorized. */
    credential: string;
    /** Set by the admin auth middleware when the request carries a valid signed link for its path. */
    signedLink: boolean;
    /** Set by the console's session middleware on its signed-in pages. */
    session: Session;
  };
}
