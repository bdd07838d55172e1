/** Counts, tokens and cost of a session, as the events it was sent add up. */
import type { EventType } from '../wire.js';

export interface SessionTotals {
  llmCalls: number;
  toolCalls: number;
  actions: number;
  errors: number;
  evaluations: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export function emptyTotals(): SessionTotals {
  return {
    llmCalls: 0,
    toolCalls: 0,
    actions: 0,
    errors: 0,
    evaluations: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
  };
}

/** The fields of an event that totals count. */
export interface CountedEvent {
  event_type: EventType;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  cost?: number | null;
}

export function addToTotals(totals: SessionTotals, event: CountedEvent): void {
  countEvent(totals, event.event_type, event.prompt_tokens, event.completion_tokens, event.cost);
}

/** `addToTotals` from the fields themselves (no object to build on a hot path). */
export function countEvent(
  totals: SessionTotals,
  type: EventType | 'evaluations',
  promptTokens?: number | null,
  completionTokens?: number | null,
  cost?: number | null,
): void {
  switch (type) {
    case 'llms':
      totals.llmCalls++;
      totals.promptTokens += promptTokens ?? 0;
      totals.completionTokens += completionTokens ?? 0;
      totals.costUsd += cost ?? 0;
      break;
    case 'tools':
      totals.toolCalls++;
      break;
    case 'actions':
      totals.actions++;
      break;
    case 'errors':
      totals.errors++;
      break;
    case 'evaluations':
      totals.evaluations++;
      break;
  }
}
