/** Worker entry point: the Hono app and the Durable Object classes wrangler binds. */
import { app } from './app';

export { DomainPool } from './pool/domain-pool';

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
