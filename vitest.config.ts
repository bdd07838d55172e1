import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // What needs a PostgreSQL server runs in `pnpm test:postgres` (vitest.postgres.config.ts).
    exclude: ['test/postgres/**', '**/node_modules/**'],
    // Each file in its own process: the SDK installs process-wide OpenTelemetry globals and exit hooks.
    pool: 'forks',
    // At least two files at once, where vitest would run one on 2 cores (one fewer than the cores):
    // most files wait on servers and child processes, not the CPU (the suite took 531 s with two at
    // once against 760 s with one, on 2 cores).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    // The AWS SDK's notice that its releases after January 2027 need Node 22 calls for nothing in a test run.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    hookTimeout: 60_000,
  },
});
