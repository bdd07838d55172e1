import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve as resolvePath, sep } from 'node:path';
import { nonNodeRuntime } from './resource/AgentOpsResourceDetector.js';

/**
 * Node's own `require` from here. Through `process.getBuiltinModule` where Node has it (20.16+,
 * 22.3+): a bundler that took the SDK into an app's server (Next.js's Turbopack, webpack) rewrites
 * `createRequire(import.meta.url)` into its own require, which loads nothing it did not bundle (the
 * optional peers, the app's clients); it leaves this call alone.
 */
function nodeRequire(): NodeJS.Require {
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const builtin = getBuiltin?.('node:module') as typeof import('node:module') | undefined;
  return (builtin?.createRequire ?? createRequire)(import.meta.url);
}

/** A `require` that finds nothing: where there are no module files (a Worker, an Edge function). */
function requireNothing(): NodeJS.Require {
  const fail = (id: string): never => {
    throw Object.assign(new Error(`Cannot find module '${id}' (no module files in this runtime)`), {
      code: 'MODULE_NOT_FOUND',
    });
  };
  return Object.assign(fail, {
    resolve: fail,
    cache: {},
    main: undefined,
    extensions: {},
  }) as unknown as NodeJS.Require;
}

let made: NodeJS.Require | undefined;
/** Made on first use, never when the module loads: a Worker has no module URL to make one from. */
function requireHere(): NodeJS.Require {
  if (!made) {
    try {
      made = nodeRequire();
    } catch {
      made = requireNothing();
    }
  }
  return made;
}

/**
 * Loads an optional peer dependency, or undefined when the app has not installed it: as the SDK
 * resolves its peers, else as the app does (its entry's, else its working directory's
 * `node_modules`). The second way is the one that finds it where the SDK was bundled into the app's
 * server (Next.js), whose chunks have no `node_modules` beside them.
 */
export function optionalRequire<T>(name: string): T | undefined {
  try {
    return requireHere()(name) as T;
  } catch {
    // Not resolvable from here: try where the app resolves its packages.
  }
  const file = resolveForApp(name, process.argv[1], false);
  if (!file) return undefined;
  try {
    return requireHere()(file) as T;
  } catch {
    return undefined;
  }
}

/**
 * Whether the app has installed a package, without loading it (its `package.json` need not be
 * exported): where the SDK resolves its peers, or where the app's entry resolves its own packages.
 */
export function isInstalled(name: string): boolean {
  for (const entry of [name, `${name}/package.json`]) {
    try {
      requireHere().resolve(entry);
      return true;
    } catch {
      // Not there, or this entry is not exported: the other may be.
    }
  }
  return resolveForApp(name, process.argv[1], false) !== undefined;
}

/**
 * The folders holding a `node_modules` with each package that has a module in the require cache,
 * by package name: one pass over the cache, for any number of packages to look up.
 */
export function requireCacheHolders(): Map<string, Set<string>> {
  const marker = `${sep}node_modules${sep}`;
  const holders = new Map<string, Set<string>>();
  for (const file of Object.keys(requireHere().cache)) {
    const at = file.lastIndexOf(marker);
    if (at < 0) continue;
    const parts = file.slice(at + marker.length).split(sep);
    const name = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    if (!name) continue;
    const set = holders.get(name) ?? new Set<string>();
    set.add(file.slice(0, at));
    holders.set(name, set);
  }
  return holders;
}

/**
 * Every copy of a package's module (`specifier`) that is already required, from the require cache:
 * a monorepo or an app with nested installs may have loaded more than one, and none is loaded to
 * find out. Each copy is the module `specifier` resolves to from the folder that holds that copy's
 * `node_modules`. `holders`: the cache's, when several packages are looked up at once.
 */
export function loadedCopies(
  pkg: string,
  specifier: string,
  holders: Map<string, Set<string>> = requireCacheHolders(),
): { exports: unknown; file: string }[] {
  const copies: { exports: unknown; file: string }[] = [];
  for (const holder of holders.get(pkg) ?? []) {
    try {
      const file = createRequire(join(holder, 'index.js')).resolve(specifier);
      const cached = requireHere().cache[file];
      if (cached?.loaded) copies.push({ exports: cached.exports, file });
    } catch {
      // Not resolvable from there (a file the package does not export): that copy is not loaded.
    }
  }
  return copies;
}

/**
 * Whether the app's entry point is an ES module (which imports the ES module builds of its
 * libraries): Node sets `require.main` only when the entry is a CommonJS module, however it told
 * (extension, package type, syntax detection). No entry file (`node -e`, a REPL) counts as one.
 * Deno's entry is an ES module whatever its `require.main` says (it sets one).
 */
export function entryIsEsModule(): boolean {
  return requireHere().main === undefined || nonNodeRuntime()?.name === 'deno';
}

/**
 * The ES module build of the app's copy of a dual package, by its CommonJS file (`esmOf`); undefined
 * when the package is not installed or has no such build.
 */
export function esmFileOf(name: string, esmOf: (cjsFile: string) => string): string | undefined {
  // The app's copy only: a copy only the SDK resolves is not one the app imports.
  const cjs = resolveForApp(name, process.argv[1], false);
  if (!cjs) return undefined;
  const file = esmOf(cjs);
  return file !== cjs && existsSync(file) ? file : undefined;
}

/** The version of package `name` that `file` (a file of it) belongs to, from its package.json. */
export function packageVersionOf(file: string, name: string): string | undefined {
  let dir = dirname(file);
  for (let i = 0; i < 20; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === name) return typeof pkg.version === 'string' ? pkg.version : undefined;
    } catch {
      // No package.json here (or not JSON): look further up.
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/**
 * A module by its file, loaded synchronously; an ES module too where Node can (20.19+, 22.12+): the
 * very module an import of the same file gave or will give.
 */
export function requireFile(file: string): unknown {
  return requireHere()(file);
}

/** Whether this Node can require an ES module (20.19+, 22.12+). */
export function canRequireEsm(): boolean {
  return (process.features as { require_module?: boolean }).require_module === true;
}

/**
 * Resolves a module as the app's entry point would (the app's copy of a package), else from the
 * working directory, else (unless `orSdk` is false) as the SDK would.
 */
export function resolveForApp(specifier: string, entry = process.argv[1], orSdk = true): string | undefined {
  for (const from of [entry ? resolvePath(entry) : undefined, join(process.cwd(), 'index.js')]) {
    if (!from) continue;
    try {
      return createRequire(from).resolve(specifier);
    } catch {
      // Not from there: try the next.
    }
  }
  if (!orSdk) return undefined;
  try {
    return requireHere().resolve(specifier);
  } catch {
    return undefined;
  }
}
