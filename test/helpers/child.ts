import { type ChildProcess, spawn } from 'node:child_process';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node script args` and resolves when it exits. `onLine` sees each stdout line as it comes. */
export function runNode(
  script: string,
  args: string[],
  env: Record<string, string>,
  onLine?: (line: string, child: ChildProcess) => void,
): Promise<ChildResult> {
  return runCommand(process.execPath, [script, ...args], undefined, env, onLine);
}

/** Runs any program (another runtime's binary) in `cwd` and resolves when it exits. */
export function runCommand(
  command: string,
  args: string[],
  cwd: string | undefined,
  env: Record<string, string>,
  onLine?: (line: string, child: ChildProcess) => void,
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      pending += d;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        onLine?.(pending.slice(0, nl), child);
        pending = pending.slice(nl + 1);
        nl = pending.indexOf('\n');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export interface Service {
  port: number;
  stop(): Promise<unknown>;
}

/** Starts a fixture server that prints `PORT <n>` when listening; `stop()` sends SIGTERM and waits. */
export async function startService(script: string, env: Record<string, string>, args: string[] = []): Promise<Service> {
  let child: ChildProcess | undefined;
  let ready: (port: number) => void = () => {};
  const started = new Promise<number>((resolve) => {
    ready = resolve;
  });
  const exited = runNode(script, args, env, (line, c) => {
    child = c;
    const m = /^PORT (\d+)$/.exec(line);
    if (m) ready(Number(m[1]));
  });
  const port = await Promise.race([
    started,
    exited.then((r) => Promise.reject(new Error(`${script} exited: ${r.stderr}`))),
  ]);
  return {
    port,
    stop: () => {
      child?.kill('SIGTERM');
      return exited;
    },
  };
}
