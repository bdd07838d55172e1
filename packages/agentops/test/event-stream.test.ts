/**
 * AWS's event-stream framing as replay records it (Bedrock's streamed responses): a stream read into
 * one JSON text per message and written back to the same bytes; what it cannot read is refused
 * whole, never half read.
 */
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventStreamMessage, eventStreamText } from '../src/replay/event-stream.js';

/** A frame written as AWS writes one, independently of the code under test. */
function frame(headers: [string, number, Buffer][], payload: Buffer): Buffer {
  const head = Buffer.concat(
    headers.map(([name, type, value]) => {
      const n = Buffer.from(name);
      const prefix = Buffer.concat([Buffer.from([n.length]), n, Buffer.from([type])]);
      if (type === 7 || type === 6) {
        const length = Buffer.alloc(2);
        length.writeUInt16BE(value.length, 0);
        return Buffer.concat([prefix, length, value]);
      }
      return Buffer.concat([prefix, value]);
    }),
  );
  const total = 12 + head.length + payload.length + 4;
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(head.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const message = Buffer.concat([prelude, head, payload]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(message), 0);
  return Buffer.concat([message, crc]);
}

const str = (name: string, value: string): [string, number, Buffer] => [name, 7, Buffer.from(value)];
const event = (type: string, payload: unknown) =>
  frame(
    [str(':event-type', type), str(':content-type', 'application/json'), str(':message-type', 'event')],
    Buffer.from(JSON.stringify(payload)),
  );

describe('event streams', () => {
  it('a stream is one JSON text per message, and each is written back to its own bytes', () => {
    const frames = [
      event('messageStart', { role: 'assistant' }),
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Seven' } }),
      frame([str(':message-type', 'exception'), str(':exception-type', 'throttlingException')], Buffer.from('slow')),
      frame(
        [
          ['flag', 0, Buffer.alloc(0)],
          ['off', 1, Buffer.alloc(0)],
        ],
        Buffer.from('[]'),
      ),
    ];
    const texts = eventStreamText(Buffer.concat(frames));
    expect(texts?.map((t) => JSON.parse(t))).toEqual([
      {
        headers: { ':event-type': 'messageStart', ':content-type': 'application/json', ':message-type': 'event' },
        body: { role: 'assistant' },
      },
      {
        headers: { ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' },
        body: { contentBlockIndex: 0, delta: { text: 'Seven' } },
      },
      { headers: { ':message-type': 'exception', ':exception-type': 'throttlingException' }, text: 'slow' },
      { headers: { flag: true, off: false }, body: [] },
    ]);
    expect(texts?.map(eventStreamMessage)).toEqual(frames);
  });

  it("a chunk's base64 bytes are kept decoded beside its body, and encoded again", () => {
    const inner = JSON.stringify({ type: 'content_block_delta', delta: { text: 'Coimbra' } });
    const bytes = Buffer.from(inner).toString('base64');
    const original = event('chunk', { bytes, p: 'ab' });
    const [text] = eventStreamText(original) ?? [];
    expect(JSON.parse(text as string)).toMatchObject({ body: { p: 'ab' }, bytes: inner });
    const written = eventStreamMessage(text as string);
    expect(eventStreamText(written)).toEqual([text]);
    const payload = JSON.parse(written.subarray(written.readUInt32BE(4) + 12, written.length - 4).toString());
    expect(payload).toEqual({ p: 'ab', bytes });
    // Bytes that are not UTF-8 stay base64 in the body.
    const binary = Buffer.from([0xff, 0xfe, 0x00]).toString('base64');
    expect(JSON.parse(eventStreamText(event('chunk', { bytes: binary }))?.[0] as string)).toMatchObject({
      body: { bytes: binary },
    });
  });

  it('a stream it cannot read whole is refused: a cut frame, a broken CRC, a header type Bedrock does not send', () => {
    const good = event('messageStop', { stopReason: 'end_turn' });
    expect(eventStreamText(Buffer.concat([good, good.subarray(0, good.length - 3)]))).toBeUndefined();
    const broken = Buffer.from(good);
    broken[20] = (broken[20] as number) ^ 1;
    expect(eventStreamText(broken)).toBeUndefined();
    const int = Buffer.alloc(4);
    int.writeInt32BE(7, 0);
    expect(eventStreamText(frame([['n', 4, int]], Buffer.from('{}')))).toBeUndefined();
    expect(eventStreamText(frame([str('a', 'b')], Buffer.from([0xff, 0xfe])))).toBeUndefined();
    expect(eventStreamText(Buffer.alloc(0))).toEqual([]);
  });

  it('any stream of string-headed JSON messages comes back to its bytes', () => {
    const json = fc.jsonValue().map((v) => JSON.stringify(v));
    const headers = fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 40 }), {
      maxKeys: 4,
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(headers, json), { maxLength: 5 }), (messages) => {
        const frames = messages.map(([h, payload]) =>
          frame(
            Object.entries(h).map(([n, v]) => str(n, v)),
            Buffer.from(payload),
          ),
        );
        const stream = Buffer.concat(frames);
        const texts = eventStreamText(stream);
        expect(texts).toHaveLength(messages.length);
        expect(Buffer.concat((texts ?? []).map(eventStreamMessage))).toEqual(stream);
      }),
    );
  });
});
