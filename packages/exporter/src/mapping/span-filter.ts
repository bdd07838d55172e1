/**
 * Which spans become AgentOps data, and as what: the conventions (conventions/) asked in order.
 * Pure, so it can be tested from tables and replaced by users (`spanFilter` option).
 */
import { CONVENTIONS, isDuplicateLlmSpan } from '../conventions/index.js';
import type { SpanCategory } from './span-category.js';
import type { SpanLike } from './span-like.js';

export { isLlmOperation } from '../conventions/index.js';
export type { SpanCategory } from './span-category.js';

/** Decides whether a span is exported. Given the category `classifySpan` found (or undefined). */
export type SpanFilter = (span: SpanLike, category: SpanCategory | undefined) => boolean;

/** The AgentOps category of a span, or undefined for spans that are not agent work (HTTP, DB, ...). */
export function classifySpan(span: SpanLike): SpanCategory | undefined {
  if (isDuplicateLlmSpan(span.attributes)) return undefined;
  for (const convention of CONVENTIONS) {
    const category = convention.category(span);
    if (category !== undefined) return category;
  }
  return undefined;
}

/** The default filter: agent work only. */
export const defaultSpanFilter: SpanFilter = (_span, category) => category !== undefined;

/** Every span: unclassified ones are sent as actions. */
export const exportAllSpansFilter: SpanFilter = () => true;
