import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

// The exporter's internal helpers are bundled in: `@agentops/exporter/internal` is not published.
export default defineConfig({
  ...packageBuild(['src/index.ts', 'src/register.ts']),
  noExternal: ['@agentops/exporter/internal'],
});
