import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

// The exporter's internal helpers are bundled in: `@agentops/exporter/internal` is not published.
export default defineConfig({
  ...packageBuild(
    {
      index: 'src/index.ts',
      cli: 'src/cli/index.ts',
      'otlp-worker': 'src/otlp/otlp-worker.ts',
      'checkpoint-worker': 'src/db/checkpoint-worker.ts',
      'search-worker': 'src/db/search-worker.ts',
      'postgres-search-worker': 'src/db/postgres-search-worker.ts',
    },
    ['src/index.ts'],
  ),
  noExternal: ['@agentops/exporter/internal'],
});
