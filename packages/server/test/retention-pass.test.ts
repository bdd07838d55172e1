/**
 * The order of a retention pass over a store with day partitions (PostgreSQL's), against a store
 * that records what it is asked: the days past first (a day whose sessions all reach their time
 * within a day waits for it; one holding a session kept longer is left to the rows' steps), then
 * each project's steps, told which days wait; a day PostgreSQL refuses to drop does not keep its
 * sessions past their time.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../src/db/Store.js';
import type { RetentionPolicy, RetentionWork } from '../src/retention/policy.js';
import { runRetention } from '../src/retention/RetentionWorker.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 6, 12);
const today = Math.floor(NOW / DAY);
const work = (sessions: number): RetentionWork => ({
  deleted_sessions: sessions,
  deleted_events: sessions * 10,
  stripped_events: 0,
  freed_bytes: 0,
});

/** A store of three past days: `kept` holds a session kept longer, `soon` one whose time comes within a day. */
function storeOf(options: { dropFails?: boolean } = {}) {
  const asked: string[] = [];
  const steps: (readonly number[])[] = [];
  let rows = 2;
  const policy: RetentionPolicy = { keep_days: { Success: 7 } };
  const days = { gone: today - 30, soon: today - 8, kept: today - 20 };
  const store = {
    retentionPolicies: async () => [{ projectId: 'p', policy }],
    retentionPastDays: async () => [days.gone, days.kept, days.soon, today - 1],
    retentionDayKept: async (day: number, _policies: unknown, at: number) => {
      asked.push(`kept? ${today - day} days ago, ${(at - NOW) / DAY} days on`);
      return day === days.kept;
    },
    retentionDropDay: async (day: number) => {
      asked.push(`drop ${today - day} days ago`);
      if (options.dropFails) throw Object.assign(new Error('permission denied for table events'), { code: '42501' });
      return day === days.gone ? work(100) : undefined;
    },
    retentionStep: async (_projectId: string, _policy: RetentionPolicy, _now: number, _limit: number, waiting = []) => {
      steps.push(waiting);
      return rows-- > 0 ? work(1) : undefined;
    },
  } as unknown as Store;
  return { store, asked, steps, days };
}

describe('a retention pass over day partitions', () => {
  it('drops the days gone whole, leaves those due within a day to wait, and steps through the rest', async () => {
    const { store, asked, steps, days } = storeOf();
    const total = await runRetention(store, { now: NOW });
    // Days newer than the shortest time kept (7 days, and one more for those due within a day) are not asked about.
    expect(asked).toEqual([
      'kept? 30 days ago, 1 days on',
      'drop 30 days ago',
      'kept? 20 days ago, 1 days on',
      'kept? 8 days ago, 1 days on',
      'drop 8 days ago',
    ]);
    expect(steps).toEqual([[days.soon], [days.soon], [days.soon]]);
    expect(total).toMatchObject({ deleted_sessions: 102, deleted_events: 1020 });
  });

  it('takes the sessions of a day PostgreSQL will not drop row by row, on time, then says why', async () => {
    const { store, steps } = storeOf({ dropFails: true });
    await expect(runRetention(store, { now: NOW })).rejects.toThrow('permission denied for table events');
    expect(steps).toEqual([[], [], []]);
  });
});
