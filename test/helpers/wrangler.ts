/**
 * A Worker served by `wrangler dev` (the workspace's wrangler, its workerd binary from npm): started
 * in the Worker's folder, which resolves its packages as an app does, used, then stopped.
 * Wrangler runs on Node 22.12 or newer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCommand } from './child.js';
import { freePort } from './free-port.js';

const require = createRequire(import.meta.url);
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
export const wranglerRuns = major > 22 || (major === 22 && minor >= 12);

/**
 * Serves the Worker of `dir` with `vars` as its environment, runs `use` with its URL once it is
 * ready, then stops it; resolves to what `use` gave and what wrangler printed.
 */
export async function withWranglerDev<T>(
  dir: string,
  vars: Record<string, string>,
  use: (url: string) => Promise<T>,
): Promise<{ value: T; output: string }> {
  const wrangler = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
  const state = mkdtempSync(join(tmpdir(), 'agentops-wrangler-'));
  const port = await freePort();
  let used: Promise<T> | undefined;
  const varArgs = Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
  try {
    const run = runCommand(
      process.execPath,
      [wrangler, 'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state, ...varArgs],
      dir,
      { CI: 'true', NO_COLOR: '1', WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG_PATH: state },
      (line, child) => {
        if (used || !/Ready on http/.test(line)) return;
        used = use(`http://127.0.0.1:${port}`);
        void used.then(
          () => child.kill('SIGTERM'),
          () => child.kill('SIGTERM'),
        );
      },
    );
    const result = await run;
    const output = `${result.stdout}${result.stderr}`;
    if (!used) throw new Error(`wrangler dev exited before it served:\n${output}`);
    return { value: await used, output };
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}
