/**
 * JSON for attribute values that users hand us: never throws. OpenTelemetry 2.x drops object-valued
 * attributes, so params, returns and messages travel as JSON strings.
 */
import { errorText } from './values.js';

/** Longest string we put in one attribute; longer ones are cut and marked. */
export const MAX_STRING_LENGTH = 256 * 1024;

const TRUNCATED = '...[truncated]';

export function truncate(value: string, max = MAX_STRING_LENGTH): string {
  return value.length <= max ? value : value.slice(0, max) + TRUNCATED;
}

/**
 * JSON-encodes any value, never throwing. The hot path is native `JSON.stringify`; only values it
 * refuses (cycles, BigInt, throwing getters) take the careful path, where cycles become
 * "[Circular]", BigInt a decimal string, functions and symbols a short description. An Error, Map or
 * Set given directly is encoded by its content. Returns undefined only for undefined.
 */
export function safeJsonStringify(value: unknown, max = MAX_STRING_LENGTH): string | undefined {
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'string':
      return truncate(JSON.stringify(value), max);
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
  }
  let special: boolean;
  try {
    special = value instanceof Error || value instanceof Map || value instanceof Set;
  } catch {
    // A Proxy whose getPrototypeOf throws, or a revoked one.
    return JSON.stringify('[Unserializable: a value that cannot be read]');
  }
  if (!special) {
    try {
      const json = JSON.stringify(value);
      return json === undefined ? undefined : truncate(json, max);
    } catch {
      // Cycles, BigInt, throwing getters or toJSON: the careful path below.
    }
  }
  return carefulJsonStringify(value, max);
}

function carefulJsonStringify(value: unknown, max: number): string | undefined {
  const seen = new WeakSet<object>();
  try {
    const json = JSON.stringify(value, function replacer(_key, v: unknown) {
      switch (typeof v) {
        case 'bigint':
          return v.toString();
        case 'function':
          return `[Function ${v.name || 'anonymous'}]`;
        case 'symbol':
          return v.toString();
        case 'object': {
          if (v === null) return v;
          if (seen.has(v)) return '[Circular]';
          seen.add(v);
          if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack };
          if (v instanceof Map) return Object.fromEntries(v);
          if (v instanceof Set) return [...v];
          return v;
        }
        default:
          return v;
      }
    });
    return json === undefined ? undefined : truncate(json, max);
  } catch (err) {
    // A throwing getter or toJSON: record that instead of the value.
    return JSON.stringify(`[Unserializable: ${errorText(err)}]`);
  }
}

const JSON_START = /^\s*(?:[{["\d-]|true$|false$|null$)/;
const STRUCTURED_START = /^\s*[{[]/;

/** A short, never-throwing description of a user value for log messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(truncate(value, 64));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return `${value}`;
  return `a ${typeof value}`;
}

/** Parses a JSON attribute back; a string that is not JSON (foreign spans' raw text) is returned as it is. */
export function parseJsonAttribute(value: unknown): unknown {
  return parseIf(value, JSON_START);
}

/** Parses only JSON objects and arrays: for text fields where "4" means the text "4". */
export function parseStructuredAttribute(value: unknown): unknown {
  return parseIf(value, STRUCTURED_START);
}

function parseIf(value: unknown, looksLikeJson: RegExp): unknown {
  if (typeof value !== 'string' || !looksLikeJson.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
