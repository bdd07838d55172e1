import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

export default defineConfig(
  packageBuild(
    { index: 'src/index.ts', internal: 'src/internal/index.ts', deliver: 'src/delivery/deliver.ts' },
    { index: 'src/index.ts', internal: 'src/internal/index.ts' },
  ),
);
