/**
 * The server's behaviour tests again, on PostgreSQL (`pnpm test:postgres`): routes, auth, isolation,
 * idempotency, stats, export, OTLP, the dashboard's data, the SDK end to end (replays and forks too), and what only a shared
 * database has (several instances, concurrent migrations). The same files as on SQLite: the store
 * is chosen by AGENTOPS_TEST_STORE in test/helpers/stores.ts.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  test: {
    ...base.test,
    include: [
      'packages/server/test/**/*.test.ts',
      'test/postgres/**/*.test.ts',
      'test/server-routes.test.ts',
      'test/otlp-receiver.test.ts',
      'test/agentops-v04.test.ts',
      'test/big-requests.test.ts',
      'test/server-fuzz.property.test.ts',
      'test/payload-acceptance.property.test.ts',
      'test/sdk-server.e2e.test.ts',
      'test/evaluations.e2e.test.ts',
      'test/mask-boundary.e2e.test.ts',
      'test/server-mask.test.ts',
      'test/two-process.e2e.test.ts',
      'test/cli.test.ts',
      'test/server-drivers.test.ts',
      'test/dashboard.browser.test.ts',
      'test/replay.e2e.test.ts',
    ],
    exclude: [],
    env: { AGENTOPS_TEST_STORE: 'postgres' },
    globalSetup: ['test/helpers/postgres-global-setup.ts'],
  },
});
