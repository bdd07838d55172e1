/**
 * AWS's event-stream framing (`application/vnd.amazon.eventstream`, Bedrock's streamed responses),
 * read into text and written back, so a recorded stream is JSON the mask can read inside, and a
 * replay hands the client the same bytes. A message is a prelude (its length, its headers' length,
 * a CRC32 of those), typed headers, a payload and a CRC32 of all before it. Bedrock's headers are
 * strings; a message with another header type is not read (the exchange is then not recorded, and
 * the session says it cannot be replayed whole).
 *
 * A message as text is one JSON object: `headers` (name to string, or to a boolean), the payload as
 * `body` when it is JSON (else as `text`), and, where the body carries its data as base64 in
 * `bytes` (InvokeModelWithResponseStream's chunks: the model's own JSON), that data decoded in
 * `bytes` beside it.
 */
import * as zlib from 'node:zlib';

export const EVENT_STREAM_TYPE = /^application\/vnd\.amazon\.eventstream\b/i;

/** A message as it is recorded. */
interface MessageText {
  headers: Record<string, string | boolean>;
  body?: unknown;
  text?: string;
  bytes?: string;
}

const PRELUDE = 12;
const TRAILER = 4;
const TYPE_TRUE = 0;
const TYPE_FALSE = 1;
const TYPE_STRING = 7;

/** CRC32 (IEEE), as zlib computes it where Node has it (20.15 on), else from a table. */
const crc32: (data: Uint8Array) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (data) => (zlib as unknown as { crc32(d: Uint8Array): number }).crc32(data)
    : tableCrc32();

function tableCrc32(): (data: Uint8Array) => number {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (data) => {
    let c = 0xffffffff;
    for (const byte of data) c = (table[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
}

const utf8 = (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(bytes);

/**
 * The messages of a whole event stream, one JSON text each; undefined when it is not one this
 * reads (a cut message, a CRC that does not hold, a header type Bedrock does not send, a payload
 * that is not UTF-8).
 */
export function eventStreamText(stream: Buffer): string[] | undefined {
  const messages: string[] = [];
  let at = 0;
  try {
    while (at < stream.length) {
      if (stream.length - at < PRELUDE + TRAILER) return undefined;
      const total = stream.readUInt32BE(at);
      const headersLength = stream.readUInt32BE(at + 4);
      if (total < PRELUDE + TRAILER + headersLength || at + total > stream.length) return undefined;
      if (crc32(stream.subarray(at, at + 8)) !== stream.readUInt32BE(at + 8)) return undefined;
      if (crc32(stream.subarray(at, at + total - TRAILER)) !== stream.readUInt32BE(at + total - TRAILER))
        return undefined;
      const headers = headersOf(stream.subarray(at + PRELUDE, at + PRELUDE + headersLength));
      if (!headers) return undefined;
      const payload = utf8(stream.subarray(at + PRELUDE + headersLength, at + total - TRAILER));
      messages.push(JSON.stringify(messageText(headers, payload)));
      at += total;
    }
  } catch {
    return undefined;
  }
  return messages;
}

function headersOf(bytes: Buffer): Record<string, string | boolean> | undefined {
  // No prototype: a header may be named `__proto__`.
  const headers: Record<string, string | boolean> = Object.create(null);
  let at = 0;
  while (at < bytes.length) {
    const nameLength = bytes.readUInt8(at);
    const name = utf8(bytes.subarray(at + 1, at + 1 + nameLength));
    const type = bytes.readUInt8(at + 1 + nameLength);
    at += 2 + nameLength;
    if (type === TYPE_TRUE || type === TYPE_FALSE) {
      headers[name] = type === TYPE_TRUE;
    } else if (type === TYPE_STRING) {
      const length = bytes.readUInt16BE(at);
      headers[name] = utf8(bytes.subarray(at + 2, at + 2 + length));
      at += 2 + length;
    } else {
      return undefined;
    }
  }
  return headers;
}

function messageText(headers: Record<string, string | boolean>, payload: string): MessageText {
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    return { headers, text: payload };
  }
  const bytes = (body as { bytes?: unknown } | null)?.bytes;
  if (typeof bytes === 'string') {
    try {
      const decoded = utf8(Buffer.from(bytes, 'base64'));
      // Kept decoded only when it comes back as the same base64.
      if (Buffer.from(decoded, 'utf8').toString('base64') === bytes) {
        const { bytes: _, ...rest } = body as Record<string, unknown>;
        return { headers, body: rest, bytes: decoded };
      }
    } catch {
      // Not UTF-8: kept as base64 in the body.
    }
  }
  return { headers, body };
}

/** One recorded message as the bytes of its frame. */
export function eventStreamMessage(text: string): Buffer {
  const message = JSON.parse(text) as MessageText;
  let payload: string;
  if (message.text !== undefined) payload = message.text;
  else if (message.bytes !== undefined)
    payload = JSON.stringify({ ...(message.body as object), bytes: Buffer.from(message.bytes).toString('base64') });
  else payload = JSON.stringify(message.body);
  const headers = Buffer.concat(
    Object.entries(message.headers).map(([name, value]) => {
      const key = Buffer.from(name);
      const head = Buffer.alloc(2 + key.length);
      head.writeUInt8(key.length, 0);
      key.copy(head, 1);
      if (typeof value === 'boolean') {
        head.writeUInt8(value ? TYPE_TRUE : TYPE_FALSE, 1 + key.length);
        return head;
      }
      head.writeUInt8(TYPE_STRING, 1 + key.length);
      const v = Buffer.from(value);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(v.length, 0);
      return Buffer.concat([head, length, v]);
    }),
  );
  const body = Buffer.from(payload);
  const total = PRELUDE + headers.length + body.length + TRAILER;
  const frame = Buffer.alloc(total);
  frame.writeUInt32BE(total, 0);
  frame.writeUInt32BE(headers.length, 4);
  frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8);
  headers.copy(frame, PRELUDE);
  body.copy(frame, PRELUDE + headers.length);
  frame.writeUInt32BE(crc32(frame.subarray(0, total - TRAILER)), total - TRAILER);
  return frame;
}
