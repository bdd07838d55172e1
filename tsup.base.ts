import type { Options } from 'tsup';

/** The build every package shares: ESM + CJS + types for Node 20, `import.meta.url` shimmed in CJS. */
export function packageBuild(
  entry: string[] | Record<string, string>,
  dtsEntry: string[] | Record<string, string> = entry,
): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: { entry: dtsEntry },
    sourcemap: true,
    clean: true,
    target: 'node20',
    shims: true,
  };
}
