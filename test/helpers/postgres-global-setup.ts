/**
 * `pnpm test:postgres`: one private PostgreSQL cluster for the whole run (each test makes its own
 * database in it), stopped at the end; none when AGENTOPS_TEST_DATABASE_URL names a server to use.
 */
import type { TestProject } from 'vitest/node';
// @ts-expect-error: a plain ES module of the repository's scripts, without types.
import { startPostgresCluster } from '../../scripts/postgres-cluster.mjs';

export default async function setup(project: TestProject) {
  const given = process.env.AGENTOPS_TEST_DATABASE_URL;
  if (given) {
    project.provide('postgresUrl', given);
    return;
  }
  // Test databases are thrown away: no fsync.
  const cluster = (await startPostgresCluster({ fsync: false })) as { url: string; stop: () => void };
  project.provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}
