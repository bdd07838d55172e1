import { defineConfig } from 'tsup';
import { webBuild } from '../../tsup.base.js';

// `dist/web.js`: the entry of the `workerd`, `edge-light`, `worker` and `browser` conditions.
export default defineConfig(webBuild({ web: 'src/index.ts' }));
