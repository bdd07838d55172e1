/**
 * Retention, run continuously: every `intervalMs`, each project's policy is applied a step at a
 * time (one short transaction of at most `stepLimit` events), the event loop given back between
 * steps, so requests are answered while a million events are purged. Several instances on one
 * PostgreSQL database may all run it: each step takes the project's lock, so each row goes once.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { NO_WORK } from '../db/repositories/retention.js';
import type { Store } from '../db/Store.js';
import { RepeatingPass } from '../repeating-pass.js';
import { keepsEverything, type ProjectPolicy, type RetentionWork } from './policy.js';

/** Events one step deletes or strips: a transaction of a few milliseconds on either store. */
export const RETENTION_STEP_EVENTS = 500;

const DAY_MS = 86_400_000;

export interface RetentionRunOptions {
  /** Only this project (default: every project with a policy). */
  projectId?: string;
  /** The time retention runs at, ms (default now). */
  now?: number;
  stepLimit?: number;
  /** Asked before each step: true stops the run there (the server is closing). */
  stopped?: () => boolean;
}

/** Adds what a step did to a run's totals. */
function add(total: RetentionWork, step: RetentionWork): void {
  total.deleted_sessions += step.deleted_sessions;
  total.deleted_events += step.deleted_events;
  total.stripped_events += step.stripped_events;
  total.freed_bytes += step.freed_bytes;
}

/** The policies retention applies: every project's that removes something, or `projectId`'s only. */
async function policiesOf(store: Store, projectId: string | undefined): Promise<ProjectPolicy[]> {
  return (await store.retentionPolicies()).filter(
    (p) => (projectId === undefined || p.projectId === projectId) && !keepsEverything(p.policy),
  );
}

/**
 * The days past that may go whole under `policies` (PostgreSQL's partitions). A day newer than the
 * shortest time any policy keeps a session is not asked about: its sessions past their time (stored
 * late, or ended early) go row by row.
 */
async function candidateDays(store: Store, policies: ProjectPolicy[], now: number): Promise<number[]> {
  const shortest = Math.min(...policies.flatMap((p) => Object.values(p.policy.keep_days)));
  if (!Number.isFinite(shortest)) return [];
  const newest = Math.floor((now - shortest * DAY_MS) / DAY_MS);
  return (await store.retentionPastDays()).filter((day) => day < newest);
}

/**
 * The days past whose sessions would all go now (PostgreSQL), so that retention drops each whole
 * (`retention --dry-run`), as ISO dates; `projectId` as `runRetention` takes it.
 */
export async function wholeDays(store: Store, options: { projectId?: string; now?: number } = {}): Promise<string[]> {
  const now = options.now ?? Date.now();
  const policies = await policiesOf(store, options.projectId);
  const days: string[] = [];
  for (const day of await candidateDays(store, policies, now)) {
    if (!(await store.retentionDayKept(day, policies, now)))
      days.push(new Date(day * DAY_MS).toISOString().slice(0, 10));
  }
  return days;
}

/** Applies the projects' policies now, step by step, until nothing is left to do; what was removed. */
export async function runRetention(store: Store, options: RetentionRunOptions = {}): Promise<RetentionWork> {
  const total = { ...NO_WORK };
  const now = options.now ?? Date.now();
  const limit = options.stepLimit ?? RETENTION_STEP_EVENTS;
  const policies = await policiesOf(store, options.projectId);
  // First the days past (PostgreSQL's partitions) whose sessions all reach their time within a
  // day: each dropped whole once they have, its sessions left to wait for it until then (each goes
  // at most a day after its time). Then, project by project, the sessions left, row by row: those
  // of the days holding a session kept longer go on time.
  const waiting: number[] = [];
  // A day that cannot be dropped (PostgreSQL refused) is said after the rows' steps, which take its
  // sessions on time meanwhile.
  let failed: unknown;
  for (const day of await candidateDays(store, policies, now + DAY_MS)) {
    if (options.stopped?.()) return total;
    try {
      if (await store.retentionDayKept(day, policies, now + DAY_MS)) continue;
      const step = await store.retentionDropDay(day, policies, now);
      if (step) add(total, step);
      else waiting.push(day);
    } catch (err) {
      failed ??= err;
    }
    await nextTurn();
  }
  for (const { projectId, policy } of policies) {
    while (!options.stopped?.()) {
      const step = await store.retentionStep(projectId, policy, now, limit, waiting);
      if (!step) break;
      add(total, step);
      // Whatever waits (a request, a batch of events) runs before the next step.
      await nextTurn();
    }
  }
  if (failed !== undefined) throw failed;
  return total;
}

export interface RetentionWorkerOptions {
  /** Time between the end of one pass and the start of the next, ms. */
  intervalMs: number;
  stepLimit?: number;
  /** Told of a pass that failed (the next pass tries again). */
  onError?: (err: unknown) => void;
  /** Told of each pass that removed something. */
  onPass?: (work: RetentionWork) => void;
}

export class RetentionWorker {
  readonly #store: Store;
  readonly #options: RetentionWorkerOptions;
  readonly #passes: RepeatingPass;

  constructor(store: Store, options: RetentionWorkerOptions) {
    this.#store = store;
    this.#options = options;
    this.#passes = new RepeatingPass(() => this.#run(), options.intervalMs);
  }

  /** Starts the passes: the first soon after the server starts, then one every interval. */
  start(delayMs = 1_000): void {
    this.#passes.start(delayMs);
  }

  async #run(): Promise<void> {
    try {
      const work = await runRetention(this.#store, {
        stepLimit: this.#options.stepLimit,
        stopped: () => this.#passes.stopped,
      });
      if (work.deleted_events + work.deleted_sessions + work.stripped_events > 0) this.#options.onPass?.(work);
    } catch (err) {
      this.#options.onError?.(err);
    }
  }

  /** Stops the passes; resolves when the step running now has ended. */
  stop(): Promise<void> {
    return this.#passes.stop();
  }
}
