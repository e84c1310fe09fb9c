import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

/**
 * Tests run inside workerd. test/support/global-setup.ts starts the loopback
 * DNS servers in Node and provides their ports (see ProvidedContext there);
 * the worker's UPSTREAMS points at the test zone's DoH and TCP servers, which
 * needs the development-only loopback switch.
 */
/**
 * Admin bearer token inside tests (test/routes/admin-client.ts uses the same
 * value); at least 32 characters, or the worker refuses every admin route.
 */
const TEST_ADMIN_TOKEN = 'test-admin-token-for-vitest-only-0123456789';
/**
 * Leases per 10 s per (tenant, client IP) in tests: 2 leases of
 * RATE_LEASE_REQUESTS (10, src/tenants/rate-budget.ts) are 20 requests.
 */
const TEST_RATE_LEASES = 2;
/** Tenant lookups not answered from the isolate's cache, per client per 60 s, in tests. */
const TEST_TENANT_LOOKUP_LIMIT = 20;
/** Failed admin requests per client per 60 s in tests. */
const TEST_ADMIN_FAILURE_LIMIT = 5;

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      // The plugin runs workerd with --verbose unless told otherwise, and verbose workerd
      // logs every network exception at the KJ level, also those JS already caught: the
      // tests that make a DoH upstream drop its connection on purpose printed
      // `uncaught exception … Network connection lost` on a green run although the
      // transport returns a typed failure for it. A real unhandled rejection still fails
      // the run: the pool reports it to Vitest as an "Unhandled Rejection" error.
      verbose: false,
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          UPSTREAMS: `zone-doh=http://127.0.0.1:${inject('dohPort')}/dns-query,zone-tcp=tcp://127.0.0.1:${inject('tcpPort')}`,
          ALLOW_LOOPBACK_UPSTREAMS: 'true',
          // The wrangler secret in production; a fixed value lets admin tests authenticate.
          ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        },
        // A small budget and the shortest period the binding allows, so the
        // rate-limit test can exhaust it and see it recover.
        ratelimits: {
          RATE_LIMITER: { namespace_id: '1001', simple: { limit: TEST_RATE_LEASES, period: 10 } },
          // 60 s, the longest period the binding allows: a test's burst stays in one or two windows.
          TENANT_LOOKUP_LIMITER: {
            namespace_id: '1002',
            simple: { limit: TEST_TENANT_LOOKUP_LIMIT, period: 60 },
          },
          ADMIN_FAILURE_LIMITER: {
            namespace_id: '1003',
            simple: { limit: TEST_ADMIN_FAILURE_LIMIT, period: 60 },
          },
        },
      },
    })),
  ],
  test: {
    globalSetup: ['./test/support/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    // The worker logs one JSON line per query; show console output of failing tests only.
    silent: 'passed-only',
  },
});
