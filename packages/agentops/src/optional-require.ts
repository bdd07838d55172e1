import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve as resolvePath } from 'node:path';

const requireHere = createRequire(import.meta.url);

/** Loads an optional peer dependency, or undefined when the app has not installed it. */
export function optionalRequire<T>(name: string): T | undefined {
  try {
    return requireHere(name) as T;
  } catch {
    return undefined;
  }
}

/** Whether the app has installed a package, without loading it (its `package.json` need not be exported). */
export function isInstalled(name: string): boolean {
  for (const entry of [name, `${name}/package.json`]) {
    try {
      requireHere.resolve(entry);
      return true;
    } catch {
      // Not there, or this entry is not exported: the other may be.
    }
  }
  return false;
}

/** A package's CommonJS exports when the app has already required it, without loading it otherwise. */
export function loadedModule(name: string): unknown {
  try {
    return requireHere.cache[requireHere.resolve(name)]?.exports;
  } catch {
    return undefined;
  }
}

/**
 * Whether the app's entry point may be an ES module, which imports the ES module builds of its
 * libraries: false only when it surely is not (a `.cjs` file, a package of `"type": "commonjs"`,
 * or a type-less `.js` file with no import or export statement, as Node itself decides).
 */
export function entryIsEsModule(entry = process.argv[1]): boolean {
  if (!entry) return true;
  if (/\.c[jt]s$/.test(entry)) return false;
  if (/\.m[jt]s$/.test(entry)) return true;
  const type = packageType(entry);
  if (type !== undefined) return type === 'module';
  try {
    return /^\s*(import|export)[\s{*]/m.test(head(entry, 65_536));
  } catch {
    return true; // not a file this can read: it may be anything
  }
}

/** The first `bytes` of a file, as text: an app's entry may be a large bundle, read no further. */
function head(file: string, bytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The ES module build of the app's copy of a dual package, by its CommonJS file (`esmOf`); undefined
 * when the package is not installed or has no such build.
 */
export function esmFileOf(name: string, esmOf: (cjsFile: string) => string): string | undefined {
  const cjs = resolveForApp(name);
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
 * An ES module, loaded synchronously (Node 20.19+, 22.12+): the very module an import of the same
 * file gave or will give.
 */
export function requireEsm(file: string): unknown {
  return requireHere(file);
}

/** Whether this Node can require an ES module (20.19+, 22.12+). */
export function canRequireEsm(): boolean {
  return (process.features as { require_module?: boolean }).require_module === true;
}

/** The `type` the package.json nearest to a file gives, if it gives one. */
function packageType(file: string): string | undefined {
  let dir = dirname(resolvePath(file));
  for (let i = 0; i < 50; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: unknown };
      return typeof pkg.type === 'string' ? pkg.type : undefined;
    } catch {
      // No package.json here (or not JSON): look further up.
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/** Resolves a module as the app's entry point would (the app's copy of a package), else as the SDK would. */
export function resolveForApp(specifier: string, entry = process.argv[1]): string | undefined {
  for (const from of [entry ? resolvePath(entry) : undefined, join(process.cwd(), 'index.js')]) {
    if (!from) continue;
    try {
      return createRequire(from).resolve(specifier);
    } catch {
      // Not from there: try the next.
    }
  }
  try {
    return requireHere.resolve(specifier);
  } catch {
    return undefined;
  }
}

/** An ES module build's file, and the build itself when the app has already imported it. */
export interface EsmBuild {
  file: string;
  loaded: unknown;
}

/**
 * The ES module build of the app's copy of a dual package: its file (beside the CommonJS one, by
 * `esmOf`), and the module itself when an ES module app has already imported it (a static import
 * runs before init()). That is told without loading it: a CommonJS package the build imports
 * (`loadedWith`) is in the require cache, and the package's own CommonJS build is not (that would
 * be a CommonJS app). Where Node can require an ES module (20.19+, 22.12+), requiring the build's
 * file then gives that very module, already loaded, in a few milliseconds.
 */
export function esmBuildOf(name: string, esmOf: (cjsFile: string) => string, loadedWith: string): EsmBuild | undefined {
  const cjs = resolveForApp(name);
  const file = esmFileOf(name, esmOf);
  if (!cjs || !file) return undefined;
  let loaded: unknown;
  if (canRequireEsm() && !requireHere.cache[cjs]) {
    try {
      if (requireHere.cache[createRequire(cjs).resolve(loadedWith)]) loaded = requireHere(file);
    } catch {
      loaded = undefined; // cannot be told, or not loadable this way: imported instead
    }
  }
  return { file, loaded };
}
