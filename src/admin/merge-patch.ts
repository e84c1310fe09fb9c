/**
 * JSON Merge Patch (RFC 7396), what `PATCH /admin/tenants/:id` applies to a
 * stored config before validating the result: objects merge key by key,
 * `null` removes a key (the field's default applies again), anything else,
 * arrays included, replaces. Pure; neither argument is modified.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7396#section-2
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = {};
  if (isObject(target))
    for (const [key, value] of Object.entries(target)) setOwn(result, key, value);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else
      setOwn(
        result,
        key,
        applyMergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value),
      );
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A plain assignment of `__proto__` (which JSON.parse hands over as an own
 * key) would replace the prototype instead of adding a field; defining the
 * property keeps it an ordinary key that validation then reports as unknown.
 */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
