import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

/**
 * Tests run inside workerd. test/support/global-setup.ts starts the loopback
 * DNS servers in Node and provides their ports (see ProvidedContext there);
 * the worker's UPSTREAMS points at the test zone's DoH and TCP servers, which
 * needs the development-only loopback switch.
 */
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          UPSTREAMS: `zone-doh=http://127.0.0.1:${inject('dohPort')}/dns-query,zone-tcp=tcp://127.0.0.1:${inject('tcpPort')}`,
          ALLOW_LOOPBACK_UPSTREAMS: 'true',
        },
      },
    })),
  ],
  test: {
    globalSetup: ['./test/support/global-setup.ts'],
    include: ['test/**/*.test.ts'],
  },
});
