/**
 * The warning said when SQLite's checkpoint thread stops names why, whatever the thread threw: an
 * Error, a string, or a value with no message (it printed "(undefined)" for those).
 */
import { expect, it } from 'vitest';
import { checkpointFallbackWarning } from '../src/db/SqliteStore.js';

it.each([
  [new Error('disk I/O error'), 'Error: disk I/O error'],
  ['exit code 1', 'exit code 1'],
  [{ code: 'ERR_WORKER_OUT_OF_MEMORY' }, '{"code":"ERR_WORKER_OUT_OF_MEMORY"}'],
  [undefined, 'it gave no reason'],
  [Object.assign(Object.create(null), { reason: 'no space left' }), '{"reason":"no space left"}'],
])('%s', (thrown, reason) => {
  const warning = checkpointFallbackWarning(thrown);
  expect(warning).toBe(`the SQLite checkpoint thread stopped (${reason}); checkpoints run on the main thread again`);
});
