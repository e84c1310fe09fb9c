/**
 * Lets Node 22 run the bench's TypeScript as it is written for the project's
 * tsc (`moduleResolution: Bundler`, extensionless relative imports): Node
 * strips the types itself, this hook only adds the `.ts` (or `/index.ts`)
 * that Node's ESM resolver insists on. No build step, no extra dependency.
 */
import { register } from 'node:module';

register('./resolve-ts.mjs', import.meta.url);
