/** The uploads of AgentOps 0.4 clients (logs and objects of a session): the same statements on both stores. */
import type { NewUpload, UploadRow } from '../Store.js';
import { all, type Dialect, get, type Op, run } from '../sql/query.js';

export function uploadRepository(d: Dialect) {
  return {
    /**
     * Stores an upload; with `sessionLimit`, only if the session's uploads of its kind stay within
     * it. In a write transaction, under a lock of the session's uploads of that kind: the sum checked
     * is the sum the insert adds to, whatever other requests or instances do meanwhile.
     */
    *add(u: NewUpload, sessionLimit: number | undefined): Op<boolean> {
      if (sessionLimit !== undefined && u.session_id !== null) {
        yield* d.lock(`uploads:${u.session_id}:${u.kind}`);
        const stored = yield* get<{ n: number | string }>(
          'SELECT COALESCE(SUM(size), 0) AS n FROM uploads WHERE session_id = ? AND kind = ?',
          [u.session_id, u.kind],
        );
        if (Number(stored?.n ?? 0) + u.size > sessionLimit) return false;
      }
      yield* run(
        'INSERT INTO uploads (id, project_id, session_id, kind, body, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [u.id, u.project_id, u.session_id, u.kind, u.body, u.size, u.created_at],
      );
      return true;
    },

    ofSession: (sessionId: string) =>
      all<UploadRow>(
        `SELECT id, kind, size, created_at FROM uploads WHERE session_id = ? ORDER BY created_at, ${d.seq}`,
        [sessionId],
      ),

    *body(projectId: string, id: string): Op<string | undefined> {
      const row = yield* get<{ body: string }>('SELECT body FROM uploads WHERE id = ? AND project_id = ?', [
        id,
        projectId,
      ]);
      return row?.body;
    },
  };
}
