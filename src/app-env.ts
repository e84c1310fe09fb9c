import type { TimingVariables } from 'hono/timing';
import type { Bindings } from './env';

/** Hono generics of this app: the Worker bindings and per-request variables. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: TimingVariables;
}
