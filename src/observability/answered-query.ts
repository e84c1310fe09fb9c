import type { CacheStatus } from '../resolver/resolver';

/** What the route knows about one client query once it has its answer. */
export interface AnsweredQuery {
  /** The tenant id (never the ECS scope: a client subnet is not a label). */
  readonly tenant: string;
  readonly name: string;
  readonly type: string;
  readonly cache: CacheStatus;
  /** RCODE name of the answer sent (`SERVFAIL` when every upstream failed). */
  readonly rcode: string;
  readonly latencyMs: number;
  /** The upstream whose answer the client got; null for cache and local answers. */
  readonly winner: string | null;
  /** ms per phase of the worker's own path and `total` (phase-timing.ts); absent outside the routes. */
  readonly phases?: Readonly<Record<string, number>>;
}
