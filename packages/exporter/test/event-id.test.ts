import { describe, expect, it } from 'vitest';
import { derivedEventId } from '../src/mapping/event-id.js';

const ctx = (traceId: string, spanId: string) => ({ traceId, spanId, traceFlags: 1 });

describe('derivedEventId', () => {
  it('is a UUID, the same every time for the same span and purpose', () => {
    const id = derivedEventId(ctx('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'), 'event');
    expect(id).toBe('b7ad6b71-6920-5333-8148-eb211c80319c');
    expect(derivedEventId(ctx('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'), 'event')).toBe(id);
  });

  it('differs by purpose, by span and by trace', () => {
    const ids = new Set([
      derivedEventId(ctx('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'), 'event'),
      derivedEventId(ctx('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'), 'error'),
      derivedEventId(ctx('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'), 'agent'),
      derivedEventId(ctx('0af7651916cd43dd8448eb211c80319c', 'c7ad6b7169203331'), 'event'),
      derivedEventId(ctx('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203332'), 'event'),
      derivedEventId(ctx('0af7651916cd43dd9448eb211c80319d', 'b7ad6b7169203331'), 'event'),
    ]);
    expect(ids.size).toBe(6);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[567][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
