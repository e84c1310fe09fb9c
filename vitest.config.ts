import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

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
