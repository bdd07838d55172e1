// Shared bits of the benchmarks: child processes, a local server in its own process, formatting.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const here = (file) => fileURLToPath(new URL(file, import.meta.url));

/** Runs a probe script in its own Node process and resolves with the JSON it prints last. */
export function probe(script, args = [], env = {}, execArgv = []) {
  return new Promise((resolve, reject) => {
    const child = fork(here(script), args, {
      env: { ...process.env, ...env },
      execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

/** The local server in a child process (so it does not share the event loop being measured). */
export async function serverProcess(db) {
  const child = fork(here('./server-child.mjs'), [db], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const info = await new Promise((resolve) => child.once('message', resolve));
  return {
    ...info,
    stop: () =>
      new Promise((r) => {
        child.once('exit', r);
        child.kill('SIGTERM');
      }),
  };
}

export const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
