/**
 * ESM resolve hook (see register-ts.mjs): a relative specifier without an
 * extension is tried as `<specifier>.ts`, then `<specifier>/index.ts`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RELATIVE = /^\.{1,2}\//;
const HAS_EXTENSION = /\.[cm]?[jt]s$/;

export async function resolve(specifier, context, nextResolve) {
  if (RELATIVE.test(specifier) && !HAS_EXTENSION.test(specifier) && context.parentURL) {
    for (const candidate of [`${specifier}.ts`, `${specifier}/index.ts`]) {
      const url = new URL(candidate, context.parentURL);
      if (existsSync(fileURLToPath(url))) return nextResolve(url.href, context);
    }
  }
  return nextResolve(specifier, context);
}
