/**
 * Project API keys. Only a SHA-256 hash of a key is stored; a presented key is hashed, looked up by
 * hash, and compared in constant time.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ProjectRow, Store } from '../db/Store.js';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function newApiKey(): string {
  return randomUUID();
}

/** Adds a project with a new key (or the one given); with `onlyIfFirst`, only to a store that has none (else undefined). */
export async function createProject(
  store: Store,
  name: string,
  apiKey?: string,
): Promise<{ project: ProjectRow; apiKey: string }>;
export async function createProject(
  store: Store,
  name: string,
  apiKey: string | undefined,
  options: { onlyIfFirst: true },
): Promise<{ project: ProjectRow; apiKey: string } | undefined>;
export async function createProject(
  store: Store,
  name: string,
  apiKey = newApiKey(),
  options: { onlyIfFirst?: boolean } = {},
): Promise<{ project: ProjectRow; apiKey: string } | undefined> {
  const project: ProjectRow = {
    id: randomUUID(),
    name,
    key_hash: hashApiKey(apiKey),
    created_at: new Date().toISOString(),
  };
  if (options.onlyIfFirst) {
    if (!(await store.addFirstProject(project))) return undefined;
  } else await store.addProject(project);
  return { project, apiKey };
}

/** The project a key belongs to, or undefined for a missing or unknown key. */
export async function projectForKey(store: Store, key: unknown): Promise<ProjectRow | undefined> {
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) return undefined;
  const presented = hashApiKey(key);
  const project = await store.projectByKeyHash(presented);
  if (!project) return undefined;
  const a = Buffer.from(presented, 'hex');
  const b = Buffer.from(project.key_hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b) ? project : undefined;
}
