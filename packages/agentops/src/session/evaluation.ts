/**
 * Evaluations and feedback: the result of judging a session or one of its events, as the GenAI
 * conventions define it (`gen_ai.evaluation.result`). The conventions make it an event parented to
 * the operation judged; the SDK records it as a zero-length span of that name, a child of the judged
 * span, so it travels through every span pipeline (AgentOps and plain OTLP) like the rest.
 */
import { type EvaluationInput, semconv as S } from '@agentops/exporter';
import { asScore, asText, clamp, describeValue, LIMITS, MAX_SCORE } from '@agentops/exporter/internal';
import { type Attributes, isSpanContextValid, type Span, type SpanContext } from '@opentelemetry/api';
import type { AgentOpsEvent } from '../events/AgentOpsEvent.js';
import { isAgentOpsEvent } from '../events/AgentOpsEvent.js';
import type { Event } from '../events/index.js';
import { safeOptions } from '../events/safe-options.js';

export interface Evaluation {
  /** What was judged for: `relevance`, `correctness`, `user_feedback`, ... */
  name: string;
  /** The evaluator's score (any scale: 0..1, 1..5, thumbs up = 1). A score, a label, or both. */
  score?: number;
  /** The score in words, from few possible values: `pass`, `fail`, `relevant`, ... */
  label?: string;
  /** Why the evaluator gave it. */
  explanation?: string;
  /** The event judged: one recorded with `session.record()`, or an AgentOps event id. */
  event?: Event;
  eventId?: string;
  /** The span judged (an LLM call of an instrumentation, a wrapper's span), in this session's trace. */
  span?: Span | SpanContext;
  /** The provider's id of the completion judged (`gen_ai.response.id`). */
  responseId?: string;
}

/** An evaluation as read from the user's object: valid, clamped, with what it judges. */
export interface CheckedEvaluation {
  input: EvaluationInput;
  /** The judged span, when the evaluation names one (its event's, or its own). */
  judged: SpanContext | undefined;
}

/**
 * Reads a user's evaluation; a reason why not when it cannot be recorded (no name, neither score
 * nor label, a score that is not a finite number). Never throws.
 */
export function checkEvaluation(value: unknown): CheckedEvaluation | string {
  if (typeof value !== 'object' || value === null) {
    return `an evaluation is an object ({ name, score?, label?, ... }), not ${describeValue(value)}`;
  }
  const o = safeOptions<Evaluation>(value);
  const name = asText(o.name);
  if (!name) return `an evaluation needs a name (a non-empty string), not ${describeValue(o.name)}`;
  if (o.score !== undefined && asScore(o.score) === undefined) {
    return `evaluation ${JSON.stringify(clamp(name, 64))}: score must be a number from -${MAX_SCORE} to ${MAX_SCORE}, not ${describeValue(o.score)}`;
  }
  const label = asText(o.label);
  if (o.score === undefined && !label) {
    return `evaluation ${JSON.stringify(clamp(name, 64))} has neither a score nor a label`;
  }
  const input: EvaluationInput = { name: clamp(name, LIMITS.nameLength) };
  if (o.score !== undefined) input.score = o.score;
  if (label) input.label = clamp(label, LIMITS.nameLength);
  const explanation = asText(o.explanation);
  if (explanation) input.explanation = clamp(explanation, LIMITS.explanationLength);
  const responseId = asText(o.responseId);
  if (responseId) input.response_id = clamp(responseId, LIMITS.idLength * 4);
  let judged: SpanContext | undefined;
  const event = o.event as unknown;
  if (event !== undefined) {
    if (!isAgentOpsEvent(event)) return `evaluation ${JSON.stringify(clamp(name, 64))}: event is not an event`;
    input.event_id = event.id;
    judged = (event as AgentOpsEvent).spanContext;
  } else if (asText(o.eventId)) {
    input.event_id = clamp(o.eventId as string, LIMITS.idLength);
  }
  if (o.span !== undefined) {
    const context = spanContextOf(o.span);
    if (!context) return `evaluation ${JSON.stringify(clamp(name, 64))}: span is not a span or a span context`;
    judged = context;
  }
  return { input, judged };
}

function spanContextOf(value: unknown): SpanContext | undefined {
  try {
    const v = value as Partial<Span> & Partial<SpanContext>;
    const context = typeof v.spanContext === 'function' ? v.spanContext() : (v as SpanContext);
    return isSpanContextValid(context) ? context : undefined;
  } catch {
    return undefined;
  }
}

/** The attributes of an evaluation's span. */
export function evaluationAttributes(sessionId: string, e: EvaluationInput): Attributes {
  const attributes: Attributes = {
    [S.ATTR_SESSION_ID]: sessionId,
    [S.ATTR_GEN_AI_EVALUATION_NAME]: e.name,
  };
  if (e.score != null) attributes[S.ATTR_GEN_AI_EVALUATION_SCORE_VALUE] = e.score;
  if (e.label) attributes[S.ATTR_GEN_AI_EVALUATION_SCORE_LABEL] = e.label;
  if (e.explanation) attributes[S.ATTR_GEN_AI_EVALUATION_EXPLANATION] = e.explanation;
  if (e.event_id) attributes[S.ATTR_EVALUATION_EVENT_ID] = e.event_id;
  if (e.response_id) attributes[S.ATTR_GEN_AI_RESPONSE_ID] = e.response_id;
  return attributes;
}
