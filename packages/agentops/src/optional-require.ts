import { createRequire } from 'node:module';

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
