/**
 * The merged IP pool's pure logic: canonical forms, answer merge (docs/architecture.md §3),
 * query versions and the pool update rule (docs/architecture.md §4). No I/O lives here; the
 * Durable Object and the cache wire these to storage and clocks.
 */
export * from './canonical-data';
export * from './merge-answers';
export * from './pool-update';
export * from './query-version';
export * from './sweep-lease';
