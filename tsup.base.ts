import type { Options } from 'tsup';

/**
 * The build every package shares: ESM + CJS + types for Node 20, `import.meta.url` shimmed in CJS.
 * No source maps: the code is not minified, so a stack trace already points at readable lines, and
 * maps were about two thirds of each package's unpacked size.
 */
export function packageBuild(
  entry: string[] | Record<string, string>,
  dtsEntry: string[] | Record<string, string> = entry,
): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: { entry: dtsEntry },
    sourcemap: false,
    clean: true,
    target: 'node20',
    shims: true,
  };
}
