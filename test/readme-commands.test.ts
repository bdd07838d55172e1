/**
 * Every shell command of every README does what it says. Each command of a README's `sh` blocks is
 * in the table below, with how it is checked: run here (its exit code and a line of its output),
 * run by CI itself (`.ci/run` calls the README's install and test commands on a fresh clone), run
 * by another test that names it, or an example a reader adapts (placeholders, hosts of theirs). A
 * command added to a README without an entry, or an entry no README has any more, fails the test.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const version: string = JSON.parse(readFileSync(join(root, 'packages/server/package.json'), 'utf8')).version;

type Check =
  | { how: 'run'; expect: RegExp }
  | { how: 'ci'; step: string }
  /** Run by `file`, which holds `runs` (the call that runs it). */
  | { how: 'test'; file: string; runs: string }
  | { how: 'example'; why: string };

const TARBALLS = '../agentops-ts/release/agentops-0.2.0.tgz ../agentops-ts/release/agentops-exporter-0.2.0.tgz';
const NPM_INSTALL: Check = { how: 'test', file: 'test/packed-install.e2e.test.ts', runs: "run('npm', ['install'" };

const CHECKS: Record<string, Check> = {
  'sudo apt-get install -y chromium python3-aiohttp postgresql': { how: 'ci', step: 'apt-get install' },
  'npm install -g pnpm@10.34.9 && pnpm install': { how: 'ci', step: 'pnpm install' },
  'pnpm demo': { how: 'ci', step: 'pnpm demo' },
  'pnpm test': { how: 'ci', step: 'pnpm test' },
  'pnpm test:postgres': { how: 'ci', step: 'pnpm test:postgres' },
  'pnpm release': { how: 'test', file: 'test/release.test.ts', runs: "run('pnpm', ['release'" },
  [`cd ../your-app && npm install ${TARBALLS}`]: NPM_INSTALL,
  [`npm install ${TARBALLS}`]: NPM_INSTALL,
  'curl -H "X-Agentops-Api-Key: $AGENTOPS_API_KEY" "$AGENTOPS_API_ENDPOINT/v2/sessions/<session id>/stats"': {
    how: 'example',
    why: 'a placeholder session id; the header is checked by test/server-routes.test.ts',
  },
  'pnpm agentops-server --port 8787': { how: 'test', file: 'test/cli.test.ts', runs: "'agentops-server', '--help'" },
  'AGENTOPS_API_ENDPOINT=http://127.0.0.1:8787 AGENTOPS_API_KEY=<key> node my-agent.js': {
    how: 'example',
    why: "the reader's agent and key; the same variables are what test/llm-auto.e2e.test.ts sets",
  },
  'agentops-server --host 0.0.0.0 --port 8787 --db postgres://agentops:secret@db.internal:5432/agentops': {
    how: 'example',
    why: "a database host of the reader's; --db postgres:// is test/cli.test.ts's and test:postgres's",
  },
  'AGENTOPS_DATABASE_URL=postgres://agentops:secret@db.internal:5432/agentops agentops-server --host 0.0.0.0 --port 8788':
    { how: 'example', why: 'as above; AGENTOPS_DATABASE_URL is checked by test/cli.test.ts' },
  'OTEL_EXPORTER_OTLP_ENDPOINT=http://collector.internal:4318 node my-agent.js': {
    how: 'example',
    why: "a Collector of the reader's; otlp: true with these variables is test/sdk-options.e2e.test.ts",
  },
  'npx agentops-server --port 8787': {
    how: 'test',
    file: 'test/packed-install.e2e.test.ts',
    runs: "'.bin', 'agentops-server'",
  },
  // Also started here (on a free port) before the next one, which adds to the database it makes.
  'agentops-server --port 8787': { how: 'test', file: 'test/cli.test.ts', runs: "'--port'" },
  'agentops-server projects add my-team': { how: 'run', expect: /^[0-9a-f-]{36}\n$/ },
  'agentops-server sessions list': { how: 'test', file: 'test/cli.test.ts', runs: "'sessions', 'list'" },
  'agentops-server --db postgres://user:pass@host:5432/agentops': {
    how: 'example',
    why: "a database of the reader's; test/cli.test.ts opens postgres:// URLs",
  },
  'agentops-server --mask-file rules.json': { how: 'test', file: 'test/cli.test.ts', runs: "'--mask-file'" },
  'agentops-server mcp --api-key KEY': {
    how: 'test',
    file: 'test/server-mcp.e2e.test.ts',
    runs: "'mcp', '--endpoint'",
  },
  'agentops-server retention set --success 14d --fail 90d --indeterminate 90d --unended 30d --payload-bytes 5GB': {
    how: 'test',
    file: 'test/cli.test.ts',
    runs: "'retention', 'set'",
  },
  'agentops-server retention --dry-run': { how: 'run', expect: /nothing would go|would remove now/ },
  'agentops-server retention': { how: 'run', expect: /^removed \d+ sessions and \d+ events/ },
  'agentops-server --version': { how: 'run', expect: new RegExp(`^${version.replaceAll('.', '\\.')}\n$`) },
};

/** The commands of the `sh` blocks of every README: comments and continuation-only lines left out. */
function readmeCommands(): { file: string; command: string }[] {
  const files = ['README.md', ...readdirSync(join(root, 'packages')).map((p) => join('packages', p, 'README.md'))];
  const found: { file: string; command: string }[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      continue;
    }
    let inShell = false;
    for (const line of text.split('\n')) {
      if (/^```(sh|bash|shell)\s*$/.test(line)) inShell = true;
      else if (line.startsWith('```')) inShell = false;
      else if (inShell) {
        // A comment (after a blank) ends the command; a line that is only a comment is none.
        const command = line
          .replace(/\s+#.*$/, '')
          .replace(/^#.*$/, '')
          .trim();
        if (command) found.push({ file, command });
      }
    }
  }
  return found;
}

const temp = mkdtempSync(join(tmpdir(), 'agentops-readme-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('every README command', () => {
  const commands = readmeCommands();

  it('has a check, and every check a README command', () => {
    const unchecked = commands.filter((c) => !(c.command in CHECKS)).map((c) => `${c.file}: ${c.command}`);
    expect(unchecked).toEqual([]);
    const stale = Object.keys(CHECKS).filter((k) => !commands.some((c) => c.command === k));
    expect(stale).toEqual([]);
  });

  it("installs the pnpm of package.json's packageManager, as .ci/run does", () => {
    const pnpm = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager as string;
    expect(commands.some((c) => c.command.includes(`npm install -g ${pnpm}`))).toBe(true);
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toContain('packageManager');
  });

  it('run by CI is a step of .ci/run, and covered by a test names a test that runs it', () => {
    const ci = readFileSync(join(root, '.ci/run'), 'utf8');
    for (const [command, check] of Object.entries(CHECKS)) {
      if (check.how === 'ci') expect(ci, command).toContain(check.step);
      if (check.how === 'test') {
        expect(readFileSync(join(root, check.file), 'utf8'), `${check.file} for ${command}`).toContain(check.runs);
      }
    }
  });

  // The installed command, as a reader has it where @agentops/server is installed: the workspace's
  // link of it (the bin launcher) on PATH, in an empty folder of its own, where the server was
  // started once first (as the README's first agentops-server line does), making its database.
  const bin = join(root, 'test', 'node_modules', '.bin');
  const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, AGENTOPS_DATABASE_URL: '' };
  beforeAll(async () => {
    const server = spawn('agentops-server', ['--port', '0'], { cwd: temp, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    server.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout.on('data', () => {
          if (out.includes('listening on')) resolve();
        });
        server.on('exit', (code) => reject(new Error(`agentops-server exited ${code} before listening: ${out}`)));
      });
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.on('close', r));
    }
  });
  it.each(Object.entries(CHECKS).filter(([, c]) => c.how === 'run'))('%s', (command, check) => {
    if (check.how !== 'run') return;
    const r = spawnSync('sh', ['-c', command], { cwd: temp, env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(check.expect);
  });
});
