/**
 * `agentops-server retention`: the projects' retention policies, read and set on the database, and
 * applied now (what a running server does every minute), or `--dry-run`: what would go.
 */
import { existsSync } from 'node:fs';
import { isPostgresUrl, openStore } from '../db/open-store.js';
import type { ProjectRow, Store } from '../db/Store.js';
import {
  describePolicy,
  parseBytes,
  parseDays,
  parseRetentionPolicy,
  type RetentionPolicy,
  RetentionPolicyError,
  type RetentionPreview,
  type SessionKind,
} from '../retention/policy.js';
import { runRetention, wholeDays } from '../retention/RetentionWorker.js';

export interface RetentionOptions {
  db: string;
  /** The project's id or name; needed where the database has more than one. */
  project: string | undefined;
  dryRun: boolean;
  /** For `set`: the days of each kind of session, and the payload budget, as written. */
  keep: Partial<Record<SessionKind, string>>;
  payloadBytes: string | undefined;
}

const USAGE = `usage: agentops-server retention [--dry-run] [--project ID|NAME]
       agentops-server retention show [--project ID|NAME]
       agentops-server retention set [--project ID|NAME] [--success 14d] [--fail 90d] [--indeterminate 90d]
                                     [--unended 30d] [--payload-bytes 5GB]
       agentops-server retention clear [--project ID|NAME]
`;

/** A command that names no project, or one that is not there. */
class UsageError extends Error {}

/** The project named (by id or name), or the only one; throws a UsageError saying which to name. */
async function chosenProject(store: Store, named: string | undefined): Promise<ProjectRow> {
  const projects = await store.listProjects();
  if (named !== undefined) {
    const found = projects.filter((p) => p.id === named || p.name === named);
    if (found.length === 1) return found[0] as ProjectRow;
    throw new UsageError(
      found.length === 0
        ? `no project "${named}" (see agentops-server projects list)`
        : `two projects are named "${named}": give its id`,
    );
  }
  if (projects.length === 1) return projects[0] as ProjectRow;
  throw new UsageError('the database has several projects: name one with --project ID|NAME');
}

function previewLines(p: RetentionPreview): string[] {
  const kinds = Object.entries(p.expired_sessions);
  const sessions = kinds.reduce((n, [, c]) => n + c, 0);
  const lines = [
    sessions === 0
      ? '  no session is past its time'
      : `  ${sessions} sessions past their time (${kinds.map(([k, n]) => `${n} ${k}`).join(', ')}): ${p.expired_events} events, ${p.expired_bytes} bytes deleted`,
  ];
  if (p.payload_budget === null) lines.push(`  payloads: ${p.payload_bytes} bytes stored, no budget`);
  else if (p.payload_sessions === 0)
    lines.push(`  payloads: ${p.payload_bytes} of ${p.payload_budget} bytes: within the budget`);
  else {
    lines.push(
      `  payloads: ${p.payload_bytes} of ${p.payload_budget} bytes: the payloads of the ${p.payload_sessions} oldest ended sessions (${p.payload_sessions_bytes} bytes stored) removed, their metadata and totals kept`,
    );
  }
  return lines;
}

async function show(store: Store, project: ProjectRow, dryRun: boolean): Promise<void> {
  const policy = await store.retentionPolicy(project.id);
  process.stdout.write(
    `${project.name} (${project.id}): ${policy ? describePolicy(policy) : 'no policy: everything is kept'}\n`,
  );
  if (!policy) return;
  if (dryRun) process.stdout.write('would remove now:\n');
  for (const line of previewLines(await store.retentionPreview(project.id, policy, Date.now()))) {
    process.stdout.write(`${line}\n`);
  }
}

/** The policy `set` writes: the options given over the policy there was. */
function updatedPolicy(current: RetentionPolicy | undefined, o: RetentionOptions): RetentionPolicy {
  const keep_days = { ...current?.keep_days };
  for (const [kind, text] of Object.entries(o.keep) as [SessionKind, string][]) {
    keep_days[kind] = parseDays(`--${kind.toLowerCase()}`, text);
  }
  const bytes = o.payloadBytes === undefined ? current?.payload_bytes : parseBytes('--payload-bytes', o.payloadBytes);
  return parseRetentionPolicy({ keep_days, ...(bytes === undefined ? {} : { payload_bytes: bytes }) });
}

export async function retentionCommand(o: RetentionOptions, sub: string | undefined): Promise<number> {
  if (sub !== undefined && !['show', 'set', 'clear'].includes(sub)) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (!isPostgresUrl(o.db) && !existsSync(o.db)) {
    process.stderr.write(`agentops-server: no database at ${o.db}: name it with --db\n`);
    return 2;
  }
  const store = await openStore(o.db);
  try {
    if (sub === undefined && o.dryRun) {
      const policies = await store.retentionPolicies();
      const projects = await store.listProjects();
      for (const p of projects) {
        if (o.project !== undefined && p.id !== o.project && p.name !== o.project) continue;
        if (policies.some((x) => x.projectId === p.id)) await show(store, p, true);
      }
      if (policies.length === 0) process.stdout.write('no project has a retention policy: nothing would go\n');
      const project = o.project === undefined ? undefined : await chosenProject(store, o.project);
      const days = await wholeDays(store, { projectId: project?.id });
      // PostgreSQL: those of the sessions above that go with their whole day.
      if (days.length > 0) process.stdout.write(`days that would go whole (partitions dropped): ${days.join(', ')}\n`);
      return 0;
    }
    if (sub === undefined) {
      const project = o.project === undefined ? undefined : await chosenProject(store, o.project);
      const work = await runRetention(store, { projectId: project?.id });
      process.stdout.write(
        `removed ${work.deleted_sessions} sessions and ${work.deleted_events} events; ` +
          `the payloads of ${work.stripped_events} events (${work.freed_bytes} bytes)\n`,
      );
      return 0;
    }
    const project = await chosenProject(store, o.project);
    if (sub === 'show') await show(store, project, false);
    else if (sub === 'clear') {
      await store.setRetentionPolicy(project.id, undefined);
      await show(store, project, false);
    } else {
      await store.setRetentionPolicy(project.id, updatedPolicy(await store.retentionPolicy(project.id), o));
      await show(store, project, false);
    }
    return 0;
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof RetentionPolicyError)) throw err;
    process.stderr.write(`agentops-server: ${(err as Error).message}\n`);
    return 2;
  } finally {
    await store.close();
  }
}
