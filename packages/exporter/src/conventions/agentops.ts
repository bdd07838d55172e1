/**
 * AgentOps' own attributes (`agentops.*`): the session's root span, the event type the SDK writes
 * on its event spans, and the fields only AgentOps has (an LLM call's cost and thread).
 */

import type { SpanCategory } from '../mapping/span-category.js';
import * as S from '../semconv.js';
import type { Convention } from './convention.js';

const SDK_TYPES = new Set<unknown>([
  S.EVENT_TYPE_LLM,
  S.EVENT_TYPE_TOOL,
  S.EVENT_TYPE_ACTION,
  S.EVENT_TYPE_ERROR,
  S.EVENT_TYPE_AGENT,
]);

export const agentOps: Convention = {
  name: 'agentops',
  category(span) {
    const a = span.attributes;
    if (span.name === S.SESSION_SPAN_NAME && typeof a[S.ATTR_SESSION_ID] === 'string') return 'session';
    const type = a[S.ATTR_EVENT_TYPE];
    if (SDK_TYPES.has(type)) return type as SpanCategory;
    // A span that names an action type (what integrations write) is an action.
    return type === undefined && typeof a[S.ATTR_ACTION_TYPE] === 'string' ? 'actions' : undefined;
  },
  threadId: [S.ATTR_LLM_THREAD_ID],
  actionType: [S.ATTR_ACTION_TYPE],
  actionKind: [S.ATTR_SPAN_KIND],
  actionParams: [S.ATTR_ACTION_PARAMS],
  actionReturns: [S.ATTR_ACTION_RETURNS],
  sessionTags: [S.ATTR_SESSION_TAGS],
};

/**
 * An LLM span started directly inside an LLM span of the same call (the SDK marks it when it
 * starts): a duplicate of its parent, never sent.
 */
export function isDuplicateLlmSpan(attributes: Readonly<Record<string, unknown>>): boolean {
  return attributes[S.ATTR_LLM_REENTRANT] === true;
}

/** Written by the SDK on its own event spans: a span without it came from another instrumentation. */
export function isSdkEventSpan(attributes: Readonly<Record<string, unknown>>): boolean {
  return attributes[S.ATTR_EVENT_TYPE] !== undefined;
}
