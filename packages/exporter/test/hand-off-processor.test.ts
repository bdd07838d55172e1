/**
 * HandOffSpanProcessor's own behaviour, as OpenTelemetry JS tests its processors: fake timers and an
 * in-memory exporter, no network.
 */
import { ExportResultCode } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HandOffSpanProcessor, type Logger } from '../src/index.js';
import { span } from './span-fixture.js';

function finished(n: number, sampled = true): ReadableSpan[] {
  return Array.from({ length: n }, (_, i) => {
    const s = span({ name: `s${i}`, spanId: i.toString(16).padStart(16, '0') });
    return { ...s, spanContext: () => ({ ...s.spanContext(), traceFlags: sampled ? 1 : 0 }) } as ReadableSpan;
  });
}

/** An in-memory exporter that also records the size of each export() call and offers deliverSync. */
class RecordingExporter extends InMemorySpanExporter {
  readonly calls: number[] = [];
  readonly deliveredSync: (number | undefined)[] = [];
  flushes = 0;
  override export(spans: ReadableSpan[], done: Parameters<InMemorySpanExporter['export']>[1]): void {
    this.calls.push(spans.length);
    super.export(spans, done);
  }
  override forceFlush(): Promise<void> {
    this.flushes++;
    return super.forceFlush();
  }
  deliverSync(timeoutMillis?: number): boolean {
    this.deliveredSync.push(timeoutMillis);
    return true;
  }
}

const warnings: string[] = [];
const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (m: string) => warnings.push(m),
  error: (m: string) => warnings.push(m),
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setImmediate', 'setTimeout'] });
  warnings.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('HandOffSpanProcessor', () => {
  it('hands finished spans to the exporter on the next turn, not while the span ends', () => {
    const exporter = new RecordingExporter();
    const processor = new HandOffSpanProcessor(exporter, { logger });
    for (const s of finished(3)) processor.onEnd(s);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    vi.advanceTimersToNextTimer();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['s0', 's1', 's2']);
  });

  it('hands over 64 spans per turn, in export() calls of at most SLICE spans, so no turn waits long', () => {
    const exporter = new RecordingExporter();
    const processor = new HandOffSpanProcessor(exporter, { logger });
    for (const s of finished(150)) processor.onEnd(s);
    vi.advanceTimersToNextTimer();
    expect(exporter.getFinishedSpans()).toHaveLength(64);
    vi.advanceTimersToNextTimer();
    expect(exporter.getFinishedSpans()).toHaveLength(128);
    vi.advanceTimersToNextTimer();
    expect(exporter.getFinishedSpans()).toHaveLength(150);
    expect(Math.max(...exporter.calls)).toBeLessThanOrEqual(HandOffSpanProcessor.SLICE);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(finished(150).map((s) => s.name));
  });

  it('hands a synchronous burst over as it goes: at most maxPending spans wait', () => {
    const exporter = new RecordingExporter();
    const processor = new HandOffSpanProcessor(exporter, { logger, maxPending: 100 });
    for (const s of finished(250)) processor.onEnd(s);
    // Two bursts of 100 went at once; 50 wait for the next turn.
    expect(exporter.getFinishedSpans()).toHaveLength(200);
    vi.advanceTimersToNextTimer();
    expect(exporter.getFinishedSpans()).toHaveLength(250);
  });

  it('skips spans that are not sampled', () => {
    const exporter = new RecordingExporter();
    const processor = new HandOffSpanProcessor(exporter, { logger });
    for (const s of [...finished(2, false), ...finished(1)]) processor.onEnd(s);
    vi.advanceTimersToNextTimer();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });

  it('forceFlush hands every span over at once and waits for the exporter to flush', async () => {
    const exporter = new RecordingExporter();
    const processor = new HandOffSpanProcessor(exporter, { logger });
    for (const s of finished(300)) processor.onEnd(s);
    await processor.forceFlush();
    expect(exporter.getFinishedSpans()).toHaveLength(300);
    expect(exporter.flushes).toBe(1);
  });

  it('runs flushes one after another: the second starts when the first has finished', async () => {
    let release: () => void = () => {};
    const order: string[] = [];
    const exporter = new RecordingExporter();
    exporter.forceFlush = () => {
      order.push(`flush ${exporter.getFinishedSpans().length}`);
      return order.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
    };
    const processor = new HandOffSpanProcessor(exporter, { logger });
    const settle = async () => {
      for (let i = 0; i < 10; i++) await Promise.resolve();
    };
    processor.onEnd(finished(1)[0] as ReadableSpan);
    const first = processor.forceFlush();
    await settle();
    expect(order).toEqual(['flush 1']);
    processor.onEnd(finished(2)[1] as ReadableSpan);
    const second = processor.forceFlush().then(() => order.push('second done'));
    await settle();
    expect(order).toEqual(['flush 1']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['flush 1', 'flush 2', 'second done']);
  });

  it('flushSync hands everything over and has the exporter deliver it, blocking, within the timeout given', () => {
    const exporter = new RecordingExporter();
    const processor = new HandOffSpanProcessor(exporter, { logger });
    for (const s of finished(5)) processor.onEnd(s);
    expect(processor.flushSync(1234)).toBe(true);
    expect(exporter.getFinishedSpans()).toHaveLength(5);
    expect(exporter.deliveredSync).toEqual([1234]);
  });

  it('flushSync says false behind an exporter that cannot deliver synchronously', () => {
    const exporter = new InMemorySpanExporter();
    const processor = new HandOffSpanProcessor(exporter, { logger });
    processor.onEnd(finished(1)[0] as ReadableSpan);
    expect(processor.flushSync(10)).toBe(false);
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });

  it('shutdown hands the rest over, shuts the exporter down once, and takes nothing after', async () => {
    const exporter = new RecordingExporter();
    const shutdown = vi.spyOn(exporter, 'shutdown');
    const processor = new HandOffSpanProcessor(exporter, { logger });
    for (const s of finished(3)) processor.onEnd(s);
    let handed = 0;
    exporter.export = (spans, done) => {
      handed += spans.length;
      done({ code: ExportResultCode.SUCCESS });
    };
    await processor.shutdown();
    await processor.shutdown();
    expect(handed).toBe(3);
    expect(shutdown).toHaveBeenCalledTimes(1);
    processor.onEnd(finished(1)[0] as ReadableSpan);
    vi.runAllTimers();
    expect(handed).toBe(3);
    expect(processor.flushSync(5)).toBe(true);
  });

  it('says when the exporter refused spans, and never throws into the app', async () => {
    const exporter = new RecordingExporter();
    exporter.export = (_spans, done) => done({ code: ExportResultCode.FAILED, error: new Error('backend said no') });
    exporter.forceFlush = () => Promise.reject(new Error('flush broke'));
    const processor = new HandOffSpanProcessor(exporter, { logger });
    processor.onEnd(finished(1)[0] as ReadableSpan);
    vi.advanceTimersToNextTimer();
    await processor.forceFlush();
    expect(warnings).toEqual(['spans were not exported: Error: backend said no', 'flush failed: Error: flush broke']);
  });
});
