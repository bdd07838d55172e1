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

export function createProject(
  store: Store,
  name: string,
  apiKey = newApiKey(),
): { project: ProjectRow; apiKey: string } {
  const project: ProjectRow = {
    id: randomUUID(),
    name,
    key_hash: hashApiKey(apiKey),
    created_at: new Date().toISOString(),
  };
  store.addProject(project);
  return { project, apiKey };
}

/** The project a key belongs to, or undefined for a missing or unknown key. */
export function projectForKey(store: Store, key: unknown): ProjectRow | undefined {
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) return undefined;
  const presented = hashApiKey(key);
  const project = store.projectByKeyHash(presented);
  if (!project) return undefined;
  const a = Buffer.from(presented, 'hex');
  const b = Buffer.from(project.key_hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b) ? project : undefined;
}
