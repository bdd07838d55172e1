import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // What needs a PostgreSQL server runs in `pnpm test:postgres` (vitest.postgres.config.ts).
    exclude: ['test/postgres/**', '**/node_modules/**'],
    // Each file in its own process: the SDK installs process-wide OpenTelemetry globals and exit hooks.
    pool: 'forks',
    testTimeout: 60_000,
    // The AWS SDK's notice that its releases after January 2027 need Node 22 calls for nothing in a test run.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    hookTimeout: 60_000,
  },
});
