import { defineConfig } from 'tsup';
import { webBuild } from '../../tsup.base.js';

// `dist/web.js`: the entry of the `workerd`, `edge-light`, `worker` and `browser` conditions. The
// exporter's internal helpers are bundled from their sources, with their own Web-API modules.
export default defineConfig(
  webBuild({ web: 'src/index.ts' }, { '@agentops/exporter/internal': '../exporter/src/internal/index.ts' }),
);
