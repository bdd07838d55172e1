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
