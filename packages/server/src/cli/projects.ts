/** `agentops-server projects add NAME | list`: the projects of a database, and their API keys. */
import { existsSync } from 'node:fs';
import { ensureLocalProject } from '../app.js';
import { createProject } from '../auth/api-keys.js';
import { isPostgresUrl, openStore } from '../db/open-store.js';

export async function projectsCommand(db: string, sub: string | undefined, name: string | undefined): Promise<number> {
  if (sub !== 'add' && sub !== 'list') {
    process.stderr.write('usage: agentops-server projects add NAME | projects list\n');
    return 2;
  }
  // A key made in a database no server reads would be a key no request can use.
  if (!isPostgresUrl(db) && !existsSync(db)) {
    process.stderr.write(
      `agentops-server: no database at ${db}: start the server once (it makes one), or name it with --db\n`,
    );
    return 2;
  }
  const store = await openStore(db);
  try {
    if (sub === 'add' && name) {
      await ensureLocalProject(store, db);
      process.stdout.write(`${(await createProject(store, name)).apiKey}\n`);
      return 0;
    }
    if (sub === 'list') {
      for (const p of await store.listProjects()) process.stdout.write(`${p.id}\t${p.name}\t${p.created_at}\n`);
      return 0;
    }
  } finally {
    await store.close();
  }
  process.stderr.write('usage: agentops-server projects add NAME | projects list\n');
  return 2;
}
