import { vi } from 'vitest';

/** Captures what the SDK logs (through console, and its info lines on stderr) for the duration of a test. */
export function captureConsole() {
  const lines: string[] = [];
  const spies = (['debug', 'info', 'warn', 'error', 'log'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(`${level}: ${args.map(String).join(' ')}`);
    }),
  );
  // Info and debug lines go straight to stderr (stdout is the app's): the SDK's are captured too.
  const write = process.stderr.write.bind(process.stderr);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    if (!text.startsWith('AgentOps:')) return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    lines.push(`stderr: ${text.trimEnd()}`);
    return true;
  }) as typeof process.stderr.write);
  return {
    lines,
    restore: () => {
      for (const s of spies) s.mockRestore();
      stderr.mockRestore();
    },
  };
}
