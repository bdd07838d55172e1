/**
 * The SDK's propagator: Trace Context Level 2 where OpenTelemetry's differs (the random flag, whole-header
 * `tracestate` validity), OpenTelemetry's own behaviour elsewhere. The W3C harness runs in
 * test/w3c-trace-context.test.ts; these are the cases by hand.
 */
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import * as agentops from 'agentops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppTracerProvider, resetOtelGlobals } from '../../../test/helpers/otel.js';
import { extractFrom, injectInto } from '../src/propagation.js';
import { parseTraceState } from '../src/trace-state.js';

const TRACE = '12345678901234567890123456789012';
const traceparent = (flags: string) => `00-${TRACE}-1234567890123456-${flags}`;

describe('tracestate', () => {
  it.each([
    ['foo=1,bar=2', 'foo=1,bar=2'],
    ['foo=1 \t , \t bar=2, \t baz=3', 'foo=1,bar=2,baz=3'],
    ['foo=1,,bar=2', 'foo=1,bar=2'],
    ['foo@=1,bar=2', 'foo@=1,bar=2'],
    ['foo@bar@baz=1', 'foo@bar@baz=1'],
    [`${'t'.repeat(241)}@${'v'.repeat(14)}=1`, `${'t'.repeat(241)}@${'v'.repeat(14)}=1`],
    ['foo=1,foo=2', 'foo=1'],
    ['foo=a b', 'foo=a b'],
  ])('%j is kept as %j', (header, serialized) => {
    expect(parseTraceState(header)?.serialize()).toBe(serialized);
  });

  it.each([
    ['foo =1'],
    ['FOO=1'],
    ['foo.bar=1'],
    ['@foo=1,bar=2'],
    ['foo=bar=baz'],
    ['foo=,bar=3'],
    ['foo=1 ,bar'],
    [`${'z'.repeat(257)}=1,foo=1`],
    [Array.from({ length: 33 }, (_, i) => `k${i}=${i}`).join(',')],
    [''],
    [' , '],
  ])('%j is discarded whole', (header) => {
    expect(parseTraceState(header)).toBeUndefined();
  });

  it('32 members are kept; an update puts its member first and stays within 32', () => {
    const header = Array.from({ length: 32 }, (_, i) => `k${i}=${i}`).join(',');
    const state = parseTraceState(header);
    expect(state?.get('k31')).toBe('31');
    const updated = state?.set('ours', 'x');
    expect(updated?.serialize().startsWith('ours=x,k0=0,')).toBe(true);
    expect(updated?.serialize().split(',')).toHaveLength(32);
    expect(updated?.unset('ours').get('ours')).toBeUndefined();
  });
});

describe('traceparent', () => {
  it('keeps the random-trace-id flag for the spans that continue the trace', () => {
    const provider = new AppTracerProvider();
    const parent = extractFrom({ traceparent: traceparent('03'), tracestate: 'foo=1' });
    const child = provider.getTracer('t').startSpan('child', {}, parent);
    const out = injectInto(trace.setSpan(parent, child));
    expect(out.traceparent).toBe(`00-${TRACE}-${child.spanContext().spanId}-03`);
    expect(out.tracestate).toBe('foo=1');
    // A new trace started in that context is not the one that was random.
    const root = provider.getTracer('t').startSpan('root', { root: true }, parent);
    expect(injectInto(trace.setSpan(parent, root)).traceparent).toMatch(/-01$/);
  });

  it('an invalid tracestate leaves the traceparent as it came', () => {
    const parent = extractFrom({ traceparent: traceparent('01'), tracestate: 'foo=1,@bad=2' });
    expect(trace.getSpanContext(parent)?.traceId).toBe(TRACE);
    expect(injectInto(parent)).toEqual({ traceparent: traceparent('01') });
  });

  it('an invalid traceparent gives no span context', () => {
    expect(
      trace.getSpanContext(extractFrom({ traceparent: '00-00000000000000000000000000000000-1234567890123456-01' })),
    ).toBe(undefined);
  });
});

describe('injectHeaders()', () => {
  const spans = new InMemorySpanExporter();
  let provider: AppTracerProvider;
  beforeAll(() => {
    provider = new AppTracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
    provider.register();
  });
  afterAll(async () => {
    await agentops.shutdown();
    await provider.shutdown();
    resetOtelGlobals();
  });

  it('with an active trace but no session, carries the trace context and no session baggage', () => {
    const span = provider.getTracer('app').startSpan('request');
    const headers = context.with(trace.setSpan(ROOT_CONTEXT, span), () => agentops.injectHeaders());
    span.end();
    expect(headers.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    expect(headers.baggage).toBeUndefined();
  });

  it('with a session, carries the session baggage too, which the W3C propagator of the app reads back', () => {
    const session = agentops.startSession({ tags: ['w3c'] });
    const headers = session.run(() => agentops.injectHeaders());
    expect(headers.baggage).toBe(`agentops.session.id=${session.id}`);
    const back = propagation.extract(ROOT_CONTEXT, headers);
    expect(trace.getSpanContext(back)?.traceId).toBe(session.id.replaceAll('-', ''));
    void session.endSession('Success');
  });
});
