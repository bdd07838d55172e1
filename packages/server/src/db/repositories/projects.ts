/** Projects and the server's own settings (`meta`): the same statements on both stores. */
import type { ProjectRow } from '../Store.js';
import { all, type Dialect, get, type Op, run } from '../sql/query.js';

const PROJECT_FIELDS = 'id, name, key_hash, created_at';

export function projectRepository(d: Dialect) {
  const insert = (p: ProjectRow) =>
    run(`INSERT INTO projects (${PROJECT_FIELDS}) VALUES (?, ?, ?, ?)`, [p.id, p.name, p.key_hash, p.created_at]);
  return {
    *metaOrSet(key: string, value: string): Op<string> {
      yield* run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, value]);
      return ((yield* get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key])) as { value: string })
        .value;
    },

    /** Adds the project if there is none yet; in a write transaction, under a lock across instances. */
    *addFirst(project: ProjectRow): Op<boolean> {
      yield* d.lock('agentops:first-project');
      if (yield* get('SELECT 1 FROM projects LIMIT 1')) return false;
      yield* insert(project);
      return true;
    },

    *add(project: ProjectRow): Op<void> {
      yield* insert(project);
    },

    byKeyHash: (keyHash: string) =>
      get<ProjectRow>(`SELECT ${PROJECT_FIELDS} FROM projects WHERE key_hash = ?`, [keyHash]),
    byId: (id: string) => get<ProjectRow>(`SELECT ${PROJECT_FIELDS} FROM projects WHERE id = ?`, [id]),
    list: () => all<ProjectRow>(`SELECT ${PROJECT_FIELDS} FROM projects ORDER BY created_at, ${d.seq}`),
  };
}
