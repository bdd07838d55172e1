/**
 * The `mask` option: declarative rules (and an optional function) applied to a finished span's
 * attributes and span events before any exporter sees it, so prompts, tool arguments and results,
 * errors and whatever an instrumentation wrote are masked alike, for AgentOps and for OTLP.
 *
 * A rule's `match` is an attribute name (`*` matches any run of characters: `gen_ai.prompt.*`) whose
 * whole value is masked, or a RegExp whose matches are masked inside every text value. `redact`
 * writes `[REDACTED]`, `hash` a SHA-256 prefix (`sha256:1a2b...`, the same text always the same
 * hash, so equal secrets can still be told apart from different ones), `drop` removes the attribute.
 * The function, asked after the rules for each text value, returns the text to keep or undefined
 * to drop it. A mask that throws drops the value it was masking: content is never sent unmasked
 * because a mask failed, and the app never sees the failure.
 */
import { createHash } from 'node:crypto';
import { semconv as S } from '@agentops/exporter';
import { errorText } from '@agentops/exporter/internal';
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

export type MaskAction = 'redact' | 'hash' | 'drop';

export interface MaskRule {
  /** An attribute name (with `*` wildcards), or a pattern masked wherever it occurs in a text value. */
  match: string | RegExp;
  action: MaskAction;
}

/** Returns the text to keep (masked as it likes), or undefined to drop the value. */
export type MaskFunction = (value: string, attribute: string) => string | undefined;

export type MaskOption = MaskRule[] | { rules?: MaskRule[]; fn?: MaskFunction };

export const REDACTED = '[REDACTED]';

/**
 * What a mask never touches: the ids and kinds that make a span a session's event. Rules naming
 * them exactly still apply; patterns and the function do not.
 */
const STRUCTURE = new Set<string>([
  S.ATTR_SESSION_ID,
  S.ATTR_EVENT_ID,
  S.ATTR_EVENT_TYPE,
  S.ATTR_AGENT_ID,
  S.ATTR_GEN_AI_OPERATION_NAME,
  S.ATTR_GEN_AI_CONVERSATION_ID,
  S.ATTR_GEN_AI_AGENT_ID,
  S.ATTR_SPAN_KIND,
]);

interface CompiledRule {
  key?: RegExp;
  pattern?: RegExp;
  action: MaskAction;
}

function hashOf(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16)}`;
}

function keyPattern(name: string): RegExp {
  const escaped = name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${escaped}$`);
}

/** The rules of a `mask` option, checked once; a rule that is not one is said and skipped. */
function compile(option: MaskOption, warn: (message: string) => void): { rules: CompiledRule[]; fn?: MaskFunction } {
  const given = Array.isArray(option) ? option : (option.rules ?? []);
  const fn = !Array.isArray(option) && typeof option.fn === 'function' ? option.fn : undefined;
  const rules: CompiledRule[] = [];
  for (const rule of given) {
    const action = rule?.action;
    if (action !== 'redact' && action !== 'hash' && action !== 'drop') {
      warn(`mask: a rule's action must be redact, hash or drop (got ${JSON.stringify(action)}); rule skipped.`);
      continue;
    }
    if (typeof rule.match === 'string' && rule.match !== '') rules.push({ key: keyPattern(rule.match), action });
    else if (rule.match instanceof RegExp) {
      const flags = rule.match.flags.includes('g') ? rule.match.flags : `${rule.match.flags}g`;
      rules.push({ pattern: new RegExp(rule.match.source, flags), action });
    } else warn('mask: a rule must match an attribute name or a RegExp; rule skipped.');
  }
  return { rules, fn };
}

const DROP = Symbol('drop');

export class Masker {
  readonly #rules: CompiledRule[];
  readonly #fn: MaskFunction | undefined;
  readonly #warn: (message: string) => void;
  #failed = false;

  constructor(option: MaskOption, warn: (message: string) => void) {
    const { rules, fn } = compile(option, warn);
    this.#rules = rules;
    this.#fn = fn;
    this.#warn = warn;
  }

  /** The mask of `option`, or undefined when there is nothing to mask with. */
  static of(option: unknown, warn: (message: string) => void): Masker | undefined {
    if (option === undefined || option === null) return undefined;
    if (!Array.isArray(option) && typeof option !== 'object') {
      warn('mask must be a list of rules or { rules, fn }; nothing is masked.');
      return undefined;
    }
    const masker = new Masker(option as MaskOption, warn);
    return masker.#rules.length > 0 || masker.#fn ? masker : undefined;
  }

  /**
   * The span as exporters should see it, or undefined when it could not be read to mask (then it
   * is not exported at all, rather than unmasked).
   */
  maskOrDrop(span: ReadableSpan): ReadableSpan | undefined {
    try {
      return this.span(span);
    } catch (err) {
      this.#warn(`mask could not read span ${JSON.stringify(span.name)} (${errorText(err)}); it is not exported.`);
      return undefined;
    }
  }

  /** The span as exporters should see it: itself when nothing in it was masked. */
  span(span: ReadableSpan): ReadableSpan {
    const attributes = this.attributes(span.attributes);
    let eventsChanged = false;
    const events = span.events.map((event) => {
      if (!event.attributes) return event;
      const masked = this.attributes(event.attributes);
      if (masked === event.attributes) return event;
      eventsChanged = true;
      return { ...event, attributes: masked };
    });
    if (attributes === span.attributes && !eventsChanged) return span;
    // The span itself stays as it is (other processors may hold it); exporters get a view of it.
    return Object.create(span, {
      attributes: { value: attributes, enumerable: true },
      events: { value: eventsChanged ? events : span.events, enumerable: true },
    }) as ReadableSpan;
  }

  /** Masked attributes: the same object when nothing was masked. */
  attributes(attributes: Attributes): Attributes {
    let out: Attributes | undefined;
    for (const [key, value] of Object.entries(attributes)) {
      if (value === undefined) continue;
      const masked = this.#value(key, value);
      if (masked === value) continue;
      out ??= { ...attributes };
      if (masked === DROP) delete out[key];
      else out[key] = masked;
    }
    return out ?? attributes;
  }

  #value(key: string, value: AttributeValue): AttributeValue | typeof DROP {
    try {
      for (const rule of this.#rules) {
        if (rule.key?.test(key)) return rule.action === 'drop' ? DROP : this.#whole(rule.action, value);
      }
      if (STRUCTURE.has(key)) return value;
      if (typeof value === 'string') return this.#text(key, value);
      if (Array.isArray(value) && value.some((v) => typeof v === 'string')) {
        let changed = false;
        const items: unknown[] = [];
        for (const item of value) {
          const masked = typeof item === 'string' ? this.#text(key, item) : item;
          if (masked === DROP) return DROP;
          changed ||= masked !== item;
          items.push(masked);
        }
        return changed ? (items as AttributeValue) : value;
      }
      return value;
    } catch (err) {
      if (!this.#failed) {
        this.#failed = true;
        this.#warn(
          `mask failed on ${key} (${errorText(err)}); such values are dropped, not sent unmasked (said once).`,
        );
      }
      return DROP;
    }
  }

  #whole(action: 'redact' | 'hash', value: AttributeValue): AttributeValue {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return action === 'redact' ? REDACTED : hashOf(text);
  }

  #text(key: string, text: string): string | typeof DROP {
    let out = text;
    for (const rule of this.#rules) {
      const pattern = rule.pattern;
      if (!pattern) continue;
      pattern.lastIndex = 0;
      if (!pattern.test(out)) continue;
      if (rule.action === 'drop') return DROP;
      pattern.lastIndex = 0;
      out = out.replace(pattern, (match) => (rule.action === 'redact' ? REDACTED : hashOf(match)));
    }
    if (this.#fn) {
      const masked = this.#fn(out, key);
      if (masked === undefined) return DROP;
      if (typeof masked !== 'string') throw new TypeError(`the mask function returned ${typeof masked}, not a string`);
      out = masked;
    }
    return out;
  }
}
