/**
 * Conversions between ChatML messages (what AgentOps users pass and see) and the OpenTelemetry GenAI
 * message shape (`gen_ai.input.messages` / `gen_ai.output.messages`: role + typed parts).
 */
import { safeJsonStringify, truncate } from '../internal/json.js';
import { isRecord } from '../internal/values.js';
import type { ChatMessage } from '../wire.js';

export interface OtelMessagePart {
  type: string;
  content?: unknown;
  id?: string;
  name?: string;
  arguments?: unknown;
  response?: unknown;
}

export interface OtelMessage {
  role: string;
  parts: OtelMessagePart[];
  name?: string;
  finish_reason?: string;
}

function contentToParts(content: unknown): OtelMessagePart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return [{ type: 'text', content }];
  // OpenAI-style content arrays: [{type:'text', text}, {type:'image_url', ...}]
  if (Array.isArray(content)) {
    return content.map((p) =>
      isRecord(p) && p.type === 'text' && typeof p.text === 'string'
        ? { type: 'text', content: p.text }
        : { type: isRecord(p) && typeof p.type === 'string' ? p.type : 'unknown', content: p },
    );
  }
  return [{ type: 'text', content }];
}

function parseArguments(args: unknown): unknown {
  if (typeof args !== 'string') return args;
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

/** One ChatML message (or a bare string, taken as a user message) as an OpenTelemetry message. */
export function chatToOtelMessage(message: unknown, defaultRole = 'user'): OtelMessage {
  if (!isRecord(message)) return { role: defaultRole, parts: contentToParts(message) };
  const role = typeof message.role === 'string' ? message.role : defaultRole;
  const parts: OtelMessagePart[] = [];
  if (role === 'tool' && typeof message.tool_call_id === 'string') {
    parts.push({ type: 'tool_call_response', id: message.tool_call_id, response: message.content });
  } else {
    parts.push(...contentToParts(message.content));
  }
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isRecord(call)) continue;
      const fn = isRecord(call.function) ? call.function : {};
      parts.push({
        type: 'tool_call',
        id: typeof call.id === 'string' ? call.id : undefined,
        name: typeof fn.name === 'string' ? fn.name : undefined,
        arguments: parseArguments(fn.arguments),
      });
    }
  }
  const out: OtelMessage = { role, parts };
  if (typeof message.name === 'string') out.name = message.name;
  if (typeof message.finish_reason === 'string') out.finish_reason = message.finish_reason;
  return out;
}

// The one-text-part message as the SDK writes it; `plainTextMessagesFromJson` reads exactly this.
const MESSAGE_START = '{"role":';
const TEXT_PART = ',"parts":[{"type":"text","content":';
const MESSAGE_END = '}]}';

function textMessageJson(role: string, content: string): string {
  return `${MESSAGE_START}${JSON.stringify(role)}${TEXT_PART}${JSON.stringify(content)}${MESSAGE_END}`;
}

/**
 * `{"role":…,"parts":[{"type":"text","content":…}]}` for a message whose content is one string and
 * that has nothing else the conversion keeps (tool calls, a name, a finish reason); else undefined.
 * Writing this JSON directly is the recording hot path: it skips building the OpenTelemetry message
 * objects only to encode them, and gives exactly what encoding them would.
 */
function plainTextMessageJson(message: unknown, defaultRole: string): string | undefined {
  if (typeof message === 'string') return textMessageJson(defaultRole, message);
  if (!isRecord(message)) return undefined;
  const role = typeof message.role === 'string' ? message.role : defaultRole;
  const content = message.content;
  if (typeof content !== 'string') return undefined;
  if (role === 'tool' && typeof message.tool_call_id === 'string') return undefined;
  if (Array.isArray(message.tool_calls) || typeof message.name === 'string') return undefined;
  if (typeof message.finish_reason === 'string') return undefined;
  return textMessageJson(role, content);
}

/** The fast path of `promptMessagesJson` and `completionMessagesJson`: undefined when some message needs the full conversion. */
function plainTextMessagesJson(value: unknown, defaultRole: string): string | undefined {
  try {
    if (!Array.isArray(value)) {
      const one = plainTextMessageJson(value, defaultRole);
      return one === undefined ? undefined : `[${one}]`;
    }
    let json = '[';
    for (let i = 0; i < value.length; i++) {
      const one = plainTextMessageJson(value[i], defaultRole);
      if (one === undefined) return undefined;
      json += i === 0 ? one : `,${one}`;
    }
    return `${json}]`;
  } catch {
    return undefined; // A throwing getter or a hostile Proxy: the full conversion decides.
  }
}

/** `gen_ai.input.messages` as JSON: the same as encoding `promptToOtelMessages(prompt)`. */
export function promptMessagesJson(prompt: unknown): string | undefined {
  const fast = plainTextMessagesJson(prompt, 'user');
  return fast === undefined ? safeJsonStringify(promptToOtelMessages(prompt)) : truncate(fast);
}

/** `gen_ai.output.messages` as JSON: the same as encoding `completionToOtelMessages(completion)`. */
export function completionMessagesJson(completion: unknown): string | undefined {
  const fast = plainTextMessagesJson(completion, 'assistant');
  return fast === undefined ? safeJsonStringify(completionToOtelMessages(completion)) : truncate(fast);
}

/** A prompt (string or ChatML array) as `gen_ai.input.messages`. */
export function promptToOtelMessages(prompt: unknown): OtelMessage[] {
  return toOtelMessages(prompt, 'user');
}

/** A completion (string or one ChatML message) as `gen_ai.output.messages`. */
export function completionToOtelMessages(completion: unknown): OtelMessage[] {
  return toOtelMessages(completion, 'assistant');
}

/** Never throws: a message that cannot be read (a hostile Proxy, a throwing getter) says so in its place. */
function toOtelMessages(value: unknown, role: string): OtelMessage[] {
  let messages: unknown[];
  try {
    messages = Array.isArray(value) ? [...value] : [value];
  } catch {
    return [unreadable(role)];
  }
  return messages.map((m) => {
    try {
      return chatToOtelMessage(m, role);
    } catch {
      return unreadable(role);
    }
  });
}

function unreadable(role: string): OtelMessage {
  return { role, parts: [{ type: 'text', content: '[Unserializable: a message that cannot be read]' }] };
}

function partsToContent(parts: OtelMessagePart[]): unknown {
  const texts = parts.filter((p) => p.type === 'text');
  if (texts.length === parts.length && texts.every((p) => typeof p.content === 'string')) {
    return texts.map((p) => p.content).join('');
  }
  const rest = parts.filter((p) => p.type !== 'tool_call' && p.type !== 'tool_call_response');
  if (rest.length === 0) return null;
  return rest.map((p) => (p.type === 'text' ? { type: 'text', text: p.content } : p));
}

/** Index just past the JSON string literal that opens at `start`, or -1. */
function stringLiteralEnd(json: string, start: number): number {
  if (json.charCodeAt(start) !== 34) return -1;
  let quote = json.indexOf('"', start + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (json.charCodeAt(quote - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    quote = json.indexOf('"', quote + 1);
  }
  return -1;
}

/**
 * Reads `gen_ai.*.messages` JSON that is exactly a list of one-text-part messages, the shape the
 * SDK itself writes, without parsing the whole structure: `each` is given where each message's role
 * and content literals start and end; at most `limit` messages are read. False for anything else
 * (other key orders, spacing, parts, an empty list), which the full conversion handles.
 */
function scanPlainTextMessages(
  json: string,
  each: (roleStart: number, roleEnd: number, contentStart: number, contentEnd: number) => void,
  limit = Number.POSITIVE_INFINITY,
): boolean {
  if (json.charCodeAt(0) !== 91 || json.charCodeAt(json.length - 1) !== 93) return false;
  let at = 1;
  let read = 0;
  while (json.startsWith(MESSAGE_START, at)) {
    const roleStart = at + MESSAGE_START.length;
    const roleEnd = stringLiteralEnd(json, roleStart);
    if (roleEnd === -1 || !json.startsWith(TEXT_PART, roleEnd)) return false;
    const contentStart = roleEnd + TEXT_PART.length;
    const contentEnd = stringLiteralEnd(json, contentStart);
    if (contentEnd === -1 || !json.startsWith(MESSAGE_END, contentEnd)) return false;
    if (read++ < limit) each(roleStart, roleEnd, contentStart, contentEnd);
    at = contentEnd + MESSAGE_END.length;
    if (at === json.length - 1) return true;
    if (json.charCodeAt(at) !== 44) return false;
    at++;
  }
  return false;
}

/**
 * ChatML from `gen_ai.*.messages` JSON of one-text-part messages (see `scanPlainTextMessages`);
 * undefined for anything else. Gives what `JSON.parse` followed by `otelToChatMessage` gives.
 */
export function plainTextMessagesFromJson(json: string): ChatMessage[] | undefined {
  const messages: ChatMessage[] = [];
  const plain = scanPlainTextMessages(json, (roleStart, roleEnd, contentStart, contentEnd) => {
    messages.push({
      role: JSON.parse(json.slice(roleStart, roleEnd)),
      content: JSON.parse(json.slice(contentStart, contentEnd)),
    });
  });
  return plain ? messages : undefined;
}

/**
 * The same ChatML as JSON text, written from the literals as they are (no decoding, no encoding
 * again): `[{"role":…,"content":…},…]`, or with `first` only the first message's object. For JSON
 * the SDK wrote (literals as `JSON.stringify` writes them) it is exactly `JSON.stringify` of what
 * `plainTextMessagesFromJson` gives; undefined where that gives undefined.
 */
export function plainTextChatJson(json: string, first = false): string | undefined {
  let out = '';
  const plain = scanPlainTextMessages(
    json,
    (roleStart, roleEnd, contentStart, contentEnd) => {
      out += `${out === '' ? '' : ','}{"role":${json.slice(roleStart, roleEnd)},"content":${json.slice(contentStart, contentEnd)}}`;
    },
    first ? 1 : Number.POSITIVE_INFINITY,
  );
  if (!plain) return undefined;
  return first ? out : `[${out}]`;
}

/** An OpenTelemetry message (or anything close to one) back to ChatML. */
export function otelToChatMessage(message: unknown): ChatMessage {
  if (!isRecord(message)) return { role: 'user', content: message };
  const role = typeof message.role === 'string' ? message.role : 'user';
  if (!Array.isArray(message.parts)) {
    // Already ChatML-like (older conventions put {role, content} here).
    return { ...(message as object), role } as ChatMessage;
  }
  const parts = message.parts.filter(isRecord) as unknown as OtelMessagePart[];
  const out: ChatMessage = { role };
  const calls = parts.filter((p) => p.type === 'tool_call');
  const response = parts.find((p) => p.type === 'tool_call_response');
  if (response) {
    out.tool_call_id = response.id;
    out.content = response.response;
  } else {
    out.content = partsToContent(parts);
  }
  if (calls.length > 0) {
    out.tool_calls = calls.map((c) => ({
      id: c.id,
      type: 'function' as const,
      function: {
        name: String(c.name ?? ''),
        arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}),
      },
    }));
  }
  if (typeof message.name === 'string') out.name = message.name;
  if (typeof message.finish_reason === 'string') out.finish_reason = message.finish_reason;
  return out;
}
