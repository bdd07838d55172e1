/** Bun and Deno from their npm packages (binaries inside), as tests run a script on each. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** A runtime's binary: in its platform package (pnpm runs no install script), else where its install script put it. */
function binaryOf(pkg: string, platformPkg: string, inPlatform: string, installed: string): string {
  const root = dirname(require.resolve(`${pkg}/package.json`));
  const candidates = [join(root, installed)];
  try {
    const platformRoot = dirname(createRequire(join(root, 'package.json')).resolve(`${platformPkg}/package.json`));
    candidates.unshift(join(platformRoot, inPlatform));
  } catch {
    // Not installed for this platform.
  }
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`no ${pkg} binary in ${candidates.join(', ')}`);
  return found;
}

export interface OtherRuntime {
  name: 'bun' | 'deno';
  version: string;
  /** The command and arguments that run `script` (Deno: with every permission, in a folder with `node_modules`). */
  command(script: string): [string, ...string[]];
}

export const OTHER_RUNTIMES: OtherRuntime[] = [
  {
    name: 'bun',
    version: (require('bun/package.json') as { version: string }).version,
    command: (script) => [binaryOf('bun', '@oven/bun-linux-x64', 'bin/bun', 'bin/bun.exe'), script],
  },
  {
    name: 'deno',
    version: (require('deno/package.json') as { version: string }).version,
    command: (script) => [binaryOf('deno', '@deno/linux-x64-glibc', 'deno', 'deno'), 'run', '-A', script],
  },
];
