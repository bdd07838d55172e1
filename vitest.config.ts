import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // What needs a PostgreSQL server runs in `pnpm test:postgres` (vitest.postgres.config.ts).
    exclude: ['test/postgres/**', '**/node_modules/**'],
    // Each file in its own process: the SDK installs process-wide OpenTelemetry globals and exit hooks.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
