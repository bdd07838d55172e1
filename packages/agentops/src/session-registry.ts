/** The sessions open in this process, by id and by trace id. */
import type { Session } from './Session.js';

const byId = new Map<string, Session>();
const byTraceId = new Map<string, Session>();
/** The open session when there is exactly one (asked for on every event and wrapped call). */
let onlyOne: Session | undefined;

function recount(): void {
  onlyOne = byId.size === 1 ? byId.values().next().value : undefined;
}

export const sessionRegistry = {
  add(session: Session): void {
    byId.set(session.id, session);
    byTraceId.set(session.traceId, session);
    recount();
  },
  remove(session: Session): void {
    if (byId.get(session.id) === session) byId.delete(session.id);
    if (byTraceId.get(session.traceId) === session) byTraceId.delete(session.traceId);
    recount();
  },
  get(id: string): Session | undefined {
    return byId.get(id);
  },
  byTraceId(traceId: string): Session | undefined {
    return byTraceId.get(traceId);
  },
  all(): Session[] {
    return [...byId.values()];
  },
  size(): number {
    return byId.size;
  },
  /** The open session when there is exactly one. */
  only(): Session | undefined {
    return onlyOne;
  },
};
