import { copyFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// The dashboard's front end, built for the browser after the server (which cleans dist/): its
// script and styles (imported by it) minified into dist/dashboard/, its page copied beside them.
// The server serves them under their content's hash, cached for a year (routes/dashboard.ts).
export default defineConfig({
  entry: { main: 'src/dashboard/app/main.ts' },
  outDir: 'dist/dashboard',
  format: ['esm'],
  platform: 'browser',
  target: 'es2022',
  minify: true,
  dts: false,
  sourcemap: false,
  clean: false,
  splitting: false,
  onSuccess: async () => {
    copyFileSync('src/dashboard/index.html', 'dist/dashboard/index.html');
  },
});
