// The stand-alone store benchmarks' two runs, in a module of its own so that the micro-benchmarks'
// children, which import lib.mjs, do not load the server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, SqliteStore } from '@agentops/server';
import { postgresForBench } from './lib.mjs';

/**
 * Runs `measure(label, store)` on a fresh SQLite file (this Node's driver), then, with `--postgres`
 * on the command line, on an empty database of the benchmarks' PostgreSQL: the stand-alone store
 * benchmarks' two runs.
 */
export async function onEachStore(name, measure) {
  const dir = mkdtempSync(join(tmpdir(), `agentops-${name}-bench-`));
  const sqlite = new SqliteStore(join(dir, `${name}.db`));
  await measure(`SQLite (${sqlite.driver}, Node ${process.versions.node})`, sqlite);
  rmSync(dir, { recursive: true, force: true });
  if (!process.argv.includes('--postgres')) return;
  const postgres = await postgresForBench();
  if (postgres.url) {
    await measure('PostgreSQL', await openStore(await postgres.database()));
    await postgres.stop();
  } else console.log(`PostgreSQL: not measured (${postgres.why})`);
}
