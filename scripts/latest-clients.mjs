#!/usr/bin/env node
// `pnpm test:latest-clients`: the client tests against npm's latest version of every supported LLM
// client and agent framework, so a new major is seen the day it ships. In a copy of the workspace
// (a new temporary folder, removed at the end; `--keep <dir>` uses and keeps that one), the test
// package's client versions are replaced by the registry's latest, installed, built, and each
// client's tests run alone. Prints a table: client, the version the repository tests, npm's latest,
// and whether its tests passed on it. Exits 1 when any failed. Needs the npm registry.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Each client: the test package's dependency names that install it (aliases for a second line of
 * the same package), the package whose latest version they take, and the tests that use it.
 */
const CLIENTS = [
  { deps: ['openai'], pkg: 'openai', tests: ['llm-auto.e2e', 'esm-clients.e2e', 'register.e2e'] },
  {
    deps: ['@anthropic-ai/sdk', 'anthropic-sdk-1'],
    pkg: '@anthropic-ai/sdk',
    tests: ['llm-auto.e2e', 'esm-clients.e2e', 'register.e2e'],
  },
  { deps: ['@google/genai'], pkg: '@google/genai', tests: ['google-genai.e2e', 'esm-clients.e2e', 'register.e2e'] },
  {
    deps: ['@aws-sdk/client-bedrock-runtime'],
    pkg: '@aws-sdk/client-bedrock-runtime',
    tests: ['bedrock.e2e', 'esm-clients.e2e', 'register.e2e'],
  },
  { deps: ['@langchain/core'], pkg: '@langchain/core', tests: ['langchain.e2e', 'langgraph.e2e', 'register.e2e'] },
  { deps: ['@langchain/openai'], pkg: '@langchain/openai', tests: ['langchain.e2e', 'langgraph.e2e'] },
  { deps: ['@langchain/langgraph'], pkg: '@langchain/langgraph', tests: ['langgraph.e2e'] },
  { deps: ['@openai/agents'], pkg: '@openai/agents', tests: ['openai-agents.e2e', 'esm-clients.e2e'] },
  { deps: ['ai7'], pkg: 'ai', tests: ['ai-sdk-7.e2e'] },
  { deps: ['@ai-sdk/openai'], pkg: '@ai-sdk/openai', tests: ['ai-sdk-7.e2e'] },
  { deps: ['@ai-sdk/otel'], pkg: '@ai-sdk/otel', tests: ['ai-sdk-7.e2e'] },
  {
    deps: ['@anthropic-ai/claude-agent-sdk'],
    pkg: '@anthropic-ai/claude-agent-sdk',
    tests: ['claude-agent-sdk.e2e'],
  },
  { deps: ['@mastra/core'], pkg: '@mastra/core', tests: ['mastra.e2e'] },
  { deps: ['@modelcontextprotocol/sdk'], pkg: '@modelcontextprotocol/sdk', tests: ['mcp.e2e'] },
  { deps: ['@a2a-js/sdk'], pkg: '@a2a-js/sdk', tests: ['a2a.e2e'] },
  { deps: ['@mastra/observability'], pkg: '@mastra/observability', tests: ['mastra.e2e'] },
  { deps: ['@mastra/otel-bridge'], pkg: '@mastra/otel-bridge', tests: ['mastra.e2e'] },
];

function arg(name) {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

function run(cmd, args, cwd, quiet = false) {
  const r = spawnSync(cmd, args, { cwd, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

const latest = (pkg) => execFileSync('npm', ['view', pkg, 'version'], { encoding: 'utf8' }).trim();

const kept = arg('--keep');
const work = kept ?? mkdtempSync(join(tmpdir(), 'agentops-latest-clients-'));
try {
  // The workspace as committed (plus uncommitted changes), without installs or builds.
  mkdirSync(work, { recursive: true });
  for (const entry of readdirSync(work)) if (entry !== 'node_modules') rmSync(join(work, entry), { recursive: true });
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repo, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  execFileSync('tar', ['-cf', join(work, '.workspace.tar'), '-T', '-'], { cwd: repo, input: files.join('\n') });
  execFileSync('tar', ['-xf', '.workspace.tar'], { cwd: work });
  rmSync(join(work, '.workspace.tar'));

  const manifestFile = join(work, 'test', 'package.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  const rows = [];
  for (const client of CLIENTS) {
    const version = latest(client.pkg);
    const tested = client.deps.map((d) => manifest.devDependencies[d]).join(', ');
    for (const dep of client.deps) {
      if (manifest.devDependencies[dep] === undefined) throw new Error(`test/package.json has no ${dep}`);
      manifest.devDependencies[dep] = dep === client.pkg ? version : `npm:${client.pkg}@${version}`;
    }
    rows.push({ client: client.pkg, tested, latest: version, tests: client.tests, passed: undefined });
  }
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  // Every other workspace package's copies too (the SDK's development copies, the examples'): one
  // version of each client in the workspace. An ES module app's client is found where the app
  // resolves it from its entry, which under vitest is vitest's, so it resolves the workspace's hoisted
  // copy; an older copy kept by another package would be the one patched.
  const others = [...readdirSync(join(work, 'packages')).map((dir) => join('packages', dir)), 'examples'];
  for (const dir of others) {
    const file = join(work, dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    let changed = false;
    for (const row of rows) {
      for (const field of ['dependencies', 'devDependencies']) {
        if (pkg[field]?.[row.client] !== undefined) {
          pkg[field][row.client] = row.latest;
          changed = true;
        }
      }
    }
    if (changed) writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  }
  console.log(`node ${process.version}; latest clients: ${rows.map((r) => `${r.client}@${r.latest}`).join(', ')}`);

  if (run('pnpm', ['install', '--no-frozen-lockfile'], work) !== 0) throw new Error('pnpm install failed');
  if (run('pnpm', ['build'], work) !== 0) throw new Error('pnpm build failed');

  // Each test file once, alone; a client passed when all of its files did.
  const results = new Map();
  for (const test of new Set(CLIENTS.flatMap((c) => c.tests))) {
    const status = run('npx', ['vitest', 'run', `test/${test}.test.ts`], work);
    results.set(test, status === 0);
  }
  for (const row of rows) row.passed = row.tests.every((t) => results.get(t));

  console.log('\n| client | tested here | npm latest | its tests on latest |');
  console.log('| --- | --- | --- | --- |');
  for (const row of rows) {
    const failed = row.tests.filter((t) => !results.get(t));
    const verdict = row.passed ? 'pass' : `FAIL (${failed.join(', ')})`;
    console.log(`| ${row.client} | ${row.tested} | ${row.latest} | ${verdict} |`);
  }
  process.exitCode = rows.every((r) => r.passed) ? 0 : 1;
} finally {
  if (!kept) rmSync(work, { recursive: true, force: true });
}
