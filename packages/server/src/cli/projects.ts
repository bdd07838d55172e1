/** `agentops-server projects add NAME | list`: the projects of a database, and their API keys. */
import { ensureLocalProject } from '../app.js';
import { createProject } from '../auth/api-keys.js';
import { Store } from '../db/Store.js';

export function projectsCommand(db: string, sub: string | undefined, name: string | undefined): number {
  const store = new Store(db);
  try {
    if (sub === 'add' && name) {
      ensureLocalProject(store, db);
      process.stdout.write(`${createProject(store, name).apiKey}\n`);
      return 0;
    }
    if (sub === 'list') {
      for (const p of store.listProjects()) process.stdout.write(`${p.id}\t${p.name}\t${p.created_at}\n`);
      return 0;
    }
  } finally {
    store.close();
  }
  process.stderr.write('usage: agentops-server projects add NAME | projects list\n');
  return 2;
}
