/** The sessions open in this process, by id and by trace id (shared by the ESM and CJS builds). */
import { processWide } from '../process-wide.js';
import type { Session } from './Session.js';

interface OpenSessions {
  readonly byId: Map<string, Session>;
  readonly byTraceId: Map<string, Session>;
  /** The open session when there is exactly one (asked for on every event and wrapped call). */
  only: Session | undefined;
}

const open = processWide<OpenSessions>('sessions', () => ({ byId: new Map(), byTraceId: new Map(), only: undefined }));

function recount(): void {
  open.only = open.byId.size === 1 ? open.byId.values().next().value : undefined;
}

export const sessionRegistry = {
  add(session: Session): void {
    open.byId.set(session.id, session);
    open.byTraceId.set(session.traceId, session);
    recount();
  },
  remove(session: Session): void {
    if (open.byId.get(session.id) === session) open.byId.delete(session.id);
    if (open.byTraceId.get(session.traceId) === session) open.byTraceId.delete(session.traceId);
    recount();
  },
  get(id: string): Session | undefined {
    return open.byId.get(id);
  },
  byTraceId(traceId: string): Session | undefined {
    return open.byTraceId.get(traceId);
  },
  all(): Session[] {
    return [...open.byId.values()];
  },
  size(): number {
    return open.byId.size;
  },
  /** The open session when there is exactly one. */
  only(): Session | undefined {
    return open.only;
  },
};
