import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';
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

/**
 * The build for runtimes with Web APIs only (Cloudflare Workers, the Next.js Edge runtime): the same
 * sources, except that where a module `x.ts` has a sibling `x.web.ts`, that one is built instead.
 * `platform: 'neutral'` with Node's built-ins left unresolved: an import of one fails the build, so
 * the entry provably imports nothing Node-only. `aliases` bundles a workspace module from its
 * sources (so its own `.web.ts` siblings apply too).
 */
export function webBuild(entry: Record<string, string>, aliases: Record<string, string> = {}): Options {
  return {
    entry,
    format: ['esm'],
    dts: false,
    sourcemap: false,
    clean: false,
    target: 'es2022',
    platform: 'neutral',
    removeNodeProtocol: false,
    noExternal: Object.keys(aliases),
    esbuildPlugins: [webSiblings(aliases)],
  };
}

function webSiblings(aliases: Record<string, string>): Plugin {
  return {
    name: 'web-siblings',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const alias = aliases[args.path];
        if (alias) return { path: resolve(alias) };
        if (!args.path.startsWith('.')) return undefined;
        const web = resolve(args.resolveDir, args.path).replace(/\.js$/, '.web.ts');
        // A `.web.ts` module may take what is the same on every runtime from its Node.js sibling.
        return existsSync(web) && web !== args.importer ? { path: web } : undefined;
      });
    },
  };
}
