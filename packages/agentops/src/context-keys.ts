/**
 * What the SDK keeps in the OpenTelemetry context. The session travels as W3C baggage, so that the
 * same entry that finds the session here also crosses process boundaries in `baggage` headers.
 */

import { semconv } from '@agentops/exporter';
import { type Context, propagation } from '@opentelemetry/api';

const { BAGGAGE_SESSION_ID } = semconv;

/** A registered symbol: the ESM and the CJS build of the SDK read the same key. */
export const AGENT_ID_KEY = Symbol.for('agentops.agent.id');

export function sessionIdFromContext(ctx: Context): string | undefined {
  return propagation.getBaggage(ctx)?.getEntry(BAGGAGE_SESSION_ID)?.value;
}

export function withSessionBaggage(ctx: Context, sessionId: string): Context {
  const baggage = propagation.getBaggage(ctx) ?? propagation.createBaggage();
  return propagation.setBaggage(ctx, baggage.setEntry(BAGGAGE_SESSION_ID, { value: sessionId }));
}

export function agentIdFromContext(ctx: Context): string | undefined {
  const value = ctx.getValue(AGENT_ID_KEY);
  return typeof value === 'string' ? value : undefined;
}
