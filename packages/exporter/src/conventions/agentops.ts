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
 * An LLM span the SDK marked, when it started, as a second record of a call recorded already: one
 * started directly inside an LLM span of the same call, or a client's span of a model call an agent
 * framework's integration records. Never sent.
 */
export function isDuplicateLlmSpan(attributes: Readonly<Record<string, unknown>>): boolean {
  return attributes[S.ATTR_LLM_REENTRANT] === true || typeof attributes[S.ATTR_LLM_DUPLICATE_OF] === 'string';
}

/** Written by the SDK on its own event spans: a span without it came from another instrumentation. */
export function isSdkEventSpan(attributes: Readonly<Record<string, unknown>>): boolean {
  return attributes[S.ATTR_EVENT_TYPE] !== undefined;
}
