/**
 * The tenant scope: the string every per-tenant key is built from (cache
 * keys, pool object names, in-flight and failure maps, health). It is the
 * tenant id plus the generation the record got when it was created, so a
 * tenant that is deleted and created again under the same id starts empty:
 * nothing the old generation cached, pooled or learnt is reachable under the
 * new scope (docs/operations.md §2: a re-created tenant id inherits nothing).
 *
 * Format: `<id>` or `<id>~<generation>`; opt-in ECS appends `@<subnet>`
 * (resolver.ts). `~` and `@` never occur in a tenant id (tenant-host.ts).
 */

/** Separates the id from the generation. */
const GENERATION_SEPARATOR = '~';
/** Separates the tenant scope from an ECS client subnet. */
const SUBNET_SEPARATOR = '@';

/** 64 random bits: two creations of one id never collide. */
const GENERATION_BYTES = 8;

/** A fresh generation for a newly created tenant (16 hex digits). */
export function newGeneration(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(GENERATION_BYTES));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The scope of a tenant record. Records written before generations existed
 * have none; their scope is the bare id, and re-creating them yields a new one.
 */
export function tenantScope(record: { readonly id: string; readonly generation?: string }): string {
  return record.generation === undefined
    ? record.id
    : `${record.id}${GENERATION_SEPARATOR}${record.generation}`;
}

/** The tenant id of a scope, without generation or subnet: what metrics and traces show. */
export function tenantIdOf(scope: string): string {
  return withoutSubnet(scope).split(GENERATION_SEPARATOR, 1)[0] ?? scope;
}

/** The generation of a scope, or null for the default tenant and records without one. */
export function generationOf(scope: string): string | null {
  const tenant = withoutSubnet(scope);
  const at = tenant.indexOf(GENERATION_SEPARATOR);
  return at === -1 ? null : tenant.slice(at + 1);
}

function withoutSubnet(scope: string): string {
  const at = scope.indexOf(SUBNET_SEPARATOR);
  return at === -1 ? scope : scope.slice(0, at);
}
