/**
 * W3C Trace Context conformance: the W3C's own harness (`../shared/w3c-trace-context/test`, run
 * unchanged, spec level 2 and strict level 2) against a service built on the SDK's propagation, on both
 * paths users take: joining a session from the request's headers, and plain OpenTelemetry API code on
 * the global propagator that `init()` registers. Needs Python 3 with aiohttp (Debian: python3-aiohttp).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { type Service, startService } from './helpers/child.js';
import { freePort } from './helpers/free-port.js';

/** Beside the repository (`../shared`); `$W3C_HARNESS_DIR` when the tests run from a copy of it (CI leg 2). */
const harness =
  process.env.W3C_HARNESS_DIR ?? fileURLToPath(new URL('../../shared/w3c-trace-context/test', import.meta.url));
const service = fileURLToPath(new URL('./fixtures/w3c-service.mjs', import.meta.url));
const TESTS_AT_LEVEL_2 = 41;

/** A Python 3 that has aiohttp: `$W3C_PYTHON`, the one on PATH, or Debian's (a pyenv one may shadow it). */
function python(): string {
  if (!existsSync(harness)) throw new Error(`no W3C harness at ${harness} (the shared trace-context test folder)`);
  for (const candidate of [process.env.W3C_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!candidate) continue;
    try {
      execFileSync(candidate, ['-c', 'import aiohttp'], { stdio: 'ignore' });
      return candidate;
    } catch {}
  }
  throw new Error('the W3C harness needs Python 3 with aiohttp: apt-get install python3-aiohttp (as .ci/run does)');
}

let running: Service | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function runHarness(mode: 'headers' | 'global') {
  const py = python();
  running = await startService(service, {}, [mode]);
  const port = await freePort();
  const result = await promisify(execFile)(py, ['test.py', `http://127.0.0.1:${running.port}/test`], {
    cwd: harness,
    env: { ...process.env, SPEC_LEVEL: '2', STRICT_LEVEL: '2', HARNESS_PORT: String(port) },
  }).catch((err: { stdout: string; stderr: string }) => err);
  // unittest reports on stderr: "Ran 41 tests", then "OK" or "FAILED (failures=N)".
  const report = `${result.stdout}\n${result.stderr}`;
  const ran = Number(/Ran (\d+) tests?/.exec(report)?.[1] ?? 0);
  const failed = [...report.matchAll(/(?:failures|errors)=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  return { ran, passed: ran - failed, report };
}

it('joining a session from headers passes every case at spec level 2, strict level 2', async () => {
  const { ran, passed, report } = await runHarness('headers');
  expect(ran, report).toBe(TESTS_AT_LEVEL_2);
  expect(passed, report).toBe(TESTS_AT_LEVEL_2);
});

it('OpenTelemetry API code on the global propagator after init() passes every case too', async () => {
  const { ran, passed, report } = await runHarness('global');
  expect(ran, report).toBe(TESTS_AT_LEVEL_2);
  expect(passed, report).toBe(TESTS_AT_LEVEL_2);
});
