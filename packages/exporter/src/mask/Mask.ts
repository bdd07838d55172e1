/**
 * The mask: the one boundary every value passes on its way out of the process (the SDK) or into
 * the store (the server). Given the rules of `rules.ts` and an optional function, it masks
 *
 * - a span as exporters see it (`span`): its attributes, its span events' attributes, its status
 *   message (under the name `otel.status_description`), its links' attributes and its resource's
 *   attributes (the host environment, `process.command_args`, `OTEL_RESOURCE_ATTRIBUTES`);
 * - a set of attributes (`attributes`), or one value under a name (`value`);
 * - a wire payload (`payload`: sessions, events, evaluations, uploads), names being its field names.
 *
 * Text that holds JSON (messages, tool arguments and results) is masked as decoded text: patterns
 * and the function see each string in it (and each object key), never its JSON encoding, and the
 * result is encoded again. A value the mask cannot decide (its function throws or returns something
 * that is not text, a rule fails) is dropped, never sent: content never leaves unmasked because a
 * mask failed, and the app never sees the failure (said once).
 *
 * Names and ids are structure, not content: span names, event names, attribute names, session and
 * event ids, kinds and timestamps are not masked by patterns or the function (a name rule naming
 * one exactly still applies).
 */
import type { Attributes, AttributeValue, Link } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { errorText, isRecord } from '../internal/values.js';
import * as S from '../semconv.js';
import { sha256Hex } from './hash.js';
import { type CompiledRule, compileOption, type MaskFunction, type MaskOption } from './rules.js';

export const REDACTED = '[REDACTED]';

/** The name a span's status message is masked under (as OpenTelemetry's non-OTLP exporters write it). */
export const STATUS_MESSAGE_NAME = 'otel.status_description';

/** Attributes that make a span a session's event: not content. */
const ATTRIBUTE_STRUCTURE: ReadonlySet<string> = new Set([
  S.ATTR_SESSION_ID,
  S.ATTR_EVENT_ID,
  S.ATTR_EVENT_TYPE,
  S.ATTR_AGENT_ID,
  S.ATTR_GEN_AI_OPERATION_NAME,
  S.ATTR_GEN_AI_CONVERSATION_ID,
  S.ATTR_GEN_AI_AGENT_ID,
  S.ATTR_SPAN_KIND,
  S.ATTR_LLM_REENTRANT,
  S.ATTR_LLM_DUPLICATE_OF,
]);

/** Fields of the wire payloads (at their top level) that are ids, kinds and times: not content. */
const WIRE_STRUCTURE: ReadonlySet<string> = new Set([
  'id',
  'session_id',
  'event_type',
  'event_id',
  'agent_id',
  'trigger_event_id',
  'trigger_event_type',
  'parent_span_id',
  'span_id',
  'init_timestamp',
  'end_timestamp',
  'timestamp',
  'end_state',
]);

/**
 * A recorded HTTP exchange (`recordReplay`: the span's `agentops.replay.exchange`, the event's
 * `replay`) holds the call's messages again, in the provider's own shape: a name rule for the
 * messages (as attributes or as the event's fields) drops it whole.
 */
const EXCHANGE_NAMES: ReadonlySet<string> = new Set([S.ATTR_REPLAY_EXCHANGE, 'replay']);
const EXCHANGE_HOLDS = [
  S.ATTR_GEN_AI_INPUT_MESSAGES,
  S.ATTR_GEN_AI_OUTPUT_MESSAGES,
  S.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  'prompt',
  'completion',
];
const DROP_WHOLE: CompiledRule = { action: 'drop' };

/** How deep JSON inside JSON (a tool call's arguments inside a message) is decoded. */
const MAX_DECODE_DEPTH = 4;
const STRUCTURED_START = /^\s*[[{]/;

const DROP: unique symbol = Symbol('drop');
/** What the keys of a decoded object are: text (decoded JSON), or a wire payload's field names (at its top level, 'top'). */
type Keys = 'text' | 'fields' | 'top';
type Dropped = typeof DROP;

/**
 * A recorded exchange the mask changed, marked so (`masked: true`), as its JSON text or decoded;
 * what is not an exchange's object (dropped, or replaced whole) as it is.
 */
function markedMasked(exchange: unknown): unknown {
  if (typeof exchange === 'string') {
    try {
      const decoded = JSON.parse(exchange) as unknown;
      return isRecord(decoded) ? JSON.stringify({ ...decoded, masked: true }) : exchange;
    } catch {
      return exchange;
    }
  }
  return isRecord(exchange) ? { ...exchange, masked: true } : exchange;
}

function hashOf(text: string): string {
  return `sha256:${sha256Hex(text).slice(0, 16)}`;
}

export class Mask {
  readonly #names: CompiledRule[];
  readonly #patterns: CompiledRule[];
  readonly #fn: MaskFunction | undefined;
  readonly #warn: (message: string) => void;
  /** Masked views of resources, one per resource (the OTLP exporters group spans by it). */
  readonly #resources = new WeakMap<object, object>();
  #failed = false;

  private constructor(rules: CompiledRule[], fn: MaskFunction | undefined, warn: (message: string) => void) {
    this.#names = rules.filter((r) => r.name);
    this.#patterns = rules.filter((r) => r.pattern);
    this.#fn = fn;
    this.#warn = warn;
  }

  /** The mask of `option`, or undefined when there is nothing to mask with. */
  static of(option: unknown, warn: (message: string) => void): Mask | undefined {
    if (option === undefined || option === null) return undefined;
    if (!Array.isArray(option) && typeof option !== 'object') {
      warn('mask must be a list of rules or { rules, fn }; nothing is masked.');
      return undefined;
    }
    const { rules, fn } = compileOption(option as MaskOption, warn);
    return rules.length > 0 || fn ? new Mask(rules, fn, warn) : undefined;
  }

  /** Whether the mask looks inside text (patterns or a function), not only at names. */
  get readsText(): boolean {
    return this.#patterns.length > 0 || this.#fn !== undefined;
  }

  /**
   * The span as exporters should see it (itself when nothing in it was masked), or undefined when
   * it could not be read to mask: then it is not exported at all, rather than unmasked.
   */
  span(span: ReadableSpan): ReadableSpan | undefined {
    try {
      return this.#span(span);
    } catch (err) {
      this.#warn(`mask could not read span ${JSON.stringify(span.name)} (${errorText(err)}); it is not exported.`);
      return undefined;
    }
  }

  #span(span: ReadableSpan): ReadableSpan {
    const overrides: PropertyDescriptorMap = {};
    const attributes = this.attributes(span.attributes);
    if (attributes !== span.attributes) overrides.attributes = { value: attributes, enumerable: true };
    const events = mapChanged(span.events, (event) => {
      if (!event.attributes) return event;
      const masked = this.attributes(event.attributes);
      return masked === event.attributes ? event : { ...event, attributes: masked };
    });
    if (events !== span.events) overrides.events = { value: events, enumerable: true };
    const links = mapChanged(span.links, (link: Link) => {
      if (!link.attributes) return link;
      const masked = this.attributes(link.attributes);
      return masked === link.attributes ? link : { ...link, attributes: masked };
    });
    if (links !== span.links) overrides.links = { value: links, enumerable: true };
    const message = span.status.message;
    if (message !== undefined) {
      const masked = this.#masked(STATUS_MESSAGE_NAME, message);
      if (masked !== message) {
        const { message: _, ...status } = span.status;
        overrides.status = { value: masked === DROP ? status : { ...status, message: masked }, enumerable: true };
      }
    }
    const resource = this.#resource(span.resource);
    if (resource !== span.resource) overrides.resource = { value: resource, enumerable: true };
    // The span itself stays as it is (other processors may hold it); exporters get a view of it.
    return Object.keys(overrides).length === 0 ? span : (Object.create(span, overrides) as ReadableSpan);
  }

  /** A view of the resource with masked attributes (one per resource once its attributes are settled). */
  #resource<R extends ReadableSpan['resource']>(resource: R): R {
    const cached = this.#resources.get(resource) as R | undefined;
    if (cached) return cached;
    const attributes = this.attributes(resource.attributes);
    const view =
      attributes === resource.attributes
        ? resource
        : (Object.create(resource, { attributes: { value: attributes, enumerable: true } }) as R);
    if (!resource.asyncAttributesPending) this.#resources.set(resource, view);
    return view;
  }

  /** Masked attributes: the same object when nothing was masked. */
  attributes(attributes: Attributes): Attributes {
    let out: Attributes | undefined;
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined) continue;
      const masked = this.#masked(key, value, ATTRIBUTE_STRUCTURE);
      if (masked === value) continue;
      out ??= { ...attributes };
      if (masked === DROP) delete out[key];
      else out[key] = masked as AttributeValue;
    }
    return out ?? attributes;
  }

  /** One value under a name, masked; undefined when it is dropped. */
  value<T extends AttributeValue>(name: string, value: T): T | undefined {
    const masked = this.#masked(name, value);
    return masked === DROP ? undefined : (masked as T);
  }

  /**
   * A wire payload (decoded JSON: a session, an event, an evaluation), masked: names are its field
   * names at any depth, ids, kinds and times (WIRE_STRUCTURE) are kept from patterns and the
   * function. The same object when nothing was masked; a dropped field is left out.
   */
  payload<T>(payload: T): T {
    const masked = this.#guarded('payload', () => this.#decoded('', payload, 0, 'top'));
    // A payload is never dropped whole (its ids are kept); what could not be masked is emptied.
    return masked === DROP ? ({} as T) : (masked as T);
  }

  /** The name rule for a value under `name`: its own, or for a recorded exchange, a rule naming the messages it holds. */
  #nameRule(name: string): CompiledRule | undefined {
    const own = this.#names.find((r) => r.name?.test(name));
    if (own || !EXCHANGE_NAMES.has(name)) return own;
    return this.#names.some((r) => EXCHANGE_HOLDS.some((held) => r.name?.test(held))) ? DROP_WHOLE : undefined;
  }

  #masked(name: string, value: unknown, structure?: ReadonlySet<string>): unknown {
    return this.#guarded(name, () => {
      const rule = this.#nameRule(name);
      if (rule) return this.#whole(rule, value);
      if (structure?.has(name) || !this.readsText) return value;
      if (typeof value === 'string') {
        const masked = this.#text(name, value, 0);
        return name === S.ATTR_REPLAY_EXCHANGE && masked !== value ? markedMasked(masked) : masked;
      }
      if (Array.isArray(value)) return this.#list(name, value, 0);
      return value;
    });
  }

  #guarded(name: string, mask: () => unknown): unknown {
    try {
      return mask();
    } catch (err) {
      if (!this.#failed) {
        this.#failed = true;
        this.#warn(
          `mask failed on ${name} (${errorText(err)}); such values are dropped, not sent unmasked (said once).`,
        );
      }
      return DROP;
    }
  }

  #whole(rule: CompiledRule, value: unknown): unknown {
    if (rule.action === 'drop') return DROP;
    if (rule.action === 'redact') return REDACTED;
    return hashOf(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** Text: JSON in it masked as decoded values, any other text by the patterns, then the function. */
  #text(name: string, text: string, depth: number): string | Dropped {
    if (depth < MAX_DECODE_DEPTH && STRUCTURED_START.test(text)) {
      let decoded: unknown;
      try {
        decoded = JSON.parse(text);
      } catch {
        decoded = undefined;
      }
      if (typeof decoded === 'object' && decoded !== null) {
        const masked = this.#decoded(name, decoded, depth + 1);
        if (masked === DROP) return DROP;
        return masked === decoded ? text : JSON.stringify(masked);
      }
    }
    return this.#plain(name, text);
  }

  #plain(name: string, text: string): string | Dropped {
    let out = text;
    for (const rule of this.#patterns) {
      const pattern = rule.pattern as RegExp;
      pattern.lastIndex = 0;
      if (!pattern.test(out)) continue;
      if (rule.action === 'drop') return DROP;
      pattern.lastIndex = 0;
      out = out.replace(pattern, (match) => (rule.action === 'redact' ? REDACTED : hashOf(match)));
    }
    if (this.#fn) {
      // Decided string by string: a function that fails on one drops that one, not its neighbours.
      const fn = this.#fn;
      const masked = this.#guarded(name, () => {
        const result = fn(out, name);
        if (result !== undefined && typeof result !== 'string')
          throw new TypeError(`the mask function returned ${typeof result}, not a string`);
        return result;
      });
      if (masked === undefined || masked === DROP) return DROP;
      out = masked as string;
    }
    return out;
  }

  /**
   * A decoded value: strings masked as text, object keys as text (a key that is dropped takes its
   * value with it). In a wire payload (`keys` not 'text') keys are field names: name rules match
   * them at any depth, and at the payload's top level ('top') they are kept as they are and the
   * structure fields (ids, kinds, times) are not masked. The same value when nothing changed.
   */
  #decoded(name: string, value: unknown, depth: number, keys: Keys = 'text'): unknown {
    if (typeof value === 'string') return this.readsText ? this.#text(name, value, depth) : value;
    if (Array.isArray(value)) return this.#list(name, value, depth, keys === 'text' ? 'text' : 'fields');
    if (typeof value !== 'object' || value === null) return value;
    let out: Record<string, unknown> | undefined;
    const source = value as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      const item = source[key];
      const maskedKey = keys === 'top' || !this.readsText ? key : this.#text(name, key, MAX_DECODE_DEPTH);
      let masked: unknown;
      if (keys === 'text') masked = this.#decoded(name, item, depth);
      else {
        const rule = this.#nameRule(key);
        if (rule) masked = item === null || item === undefined ? item : this.#whole(rule, item);
        else if (keys === 'top' && WIRE_STRUCTURE.has(key)) masked = item;
        else {
          masked = this.#decoded(key, item, depth, 'fields');
          if (keys === 'top' && key === 'replay' && masked !== item) masked = markedMasked(masked);
        }
      }
      if (maskedKey === key && masked === item) continue;
      out ??= { ...source };
      delete out[key];
      if (maskedKey !== DROP && masked !== DROP) out[maskedKey] = masked;
    }
    return out ?? value;
  }

  #list(name: string, list: readonly unknown[], depth: number, keys: Keys = 'text'): unknown {
    let out: unknown[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const masked = this.#decoded(name, list[i], depth, keys);
      if (masked === list[i]) {
        out?.push(masked);
        continue;
      }
      out ??= list.slice(0, i);
      if (masked !== DROP) out.push(masked);
    }
    return out ?? list;
  }
}

/** `list.map(f)`, or `list` itself when `f` changed nothing. */
function mapChanged<T>(list: readonly T[], f: (item: T) => T): T[] {
  let out: T[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as T;
    const masked = f(item);
    if (out) out.push(masked);
    else if (masked !== item) {
      out = list.slice(0, i);
      out.push(masked);
    }
  }
  return out ?? (list as T[]);
}
