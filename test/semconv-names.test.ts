/**
 * Attribute names live in one place: `packages/exporter/src/semconv.ts`. A `gen_ai.*` or
 * `agentops.*` name written as a literal anywhere else in the packages' sources is a second copy
 * that can drift from it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

it('no gen_ai.* attribute or event name is written outside semconv.ts', () => {
  const found: string[] = [];
  for (const pkg of ['exporter', 'agentops', 'server']) {
    for (const file of sources(join(root, 'packages', pkg, 'src'))) {
      if (file.endsWith(join('exporter', 'src', 'semconv.ts'))) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          // A quoted name (not a comment's mention of one).
          if (/^\s*(\/\/|\/?\*)/.test(line)) return;
          for (const m of line.matchAll(/['"`](gen_ai\.[a-z_.]+)['"`]/g)) {
            found.push(`${relative(root, file)}:${i + 1} ${m[1]}`);
          }
        });
    }
  }
  expect(found).toEqual([]);
});
