/**
 * How a replay tells whether a call is the call that was recorded: a stable key of its request (the
 * method, the path and the body as JSON with its keys in order, so two requests that say the same
 * differ in nothing), and, when they differ, a diff of the two that says where.
 */

/** A recorded or new request of an LLM call, as the replay compares them. */
export interface RequestShape {
  method: string;
  url: string;
  body: string | null;
}

/** A JSON body parsed, or the text itself when it is not JSON. */
function bodyValue(body: string | null): unknown {
  if (body === null) return null;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** `value` as JSON with every object's keys in order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The path and query of a URL (a replay may reach the API through another base URL). */
function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

/** The key two requests are the same call by. */
export function requestKey(request: RequestShape): string {
  return `${request.method.toUpperCase()} ${pathOf(request.url)}\n${canonicalJson(bodyValue(request.body))}`;
}

/** The key of a tool call: its name and its arguments as recorded (JSON). */
export function toolKey(name: string, params: unknown): string {
  return `${name}\n${canonicalJson(params)}`;
}

/** One place two values differ: a JSON path (`$.messages[1].content`) and each side there. */
export interface Difference {
  path: string;
  recorded: unknown;
  now: unknown;
}

const MAX_DIFFERENCES = 20;

/** Where `now` differs from `recorded`, at most 20 places, depth first. */
export function differences(recorded: unknown, now: unknown, path = '$', found: Difference[] = []): Difference[] {
  if (found.length >= MAX_DIFFERENCES) return found;
  if (Array.isArray(recorded) && Array.isArray(now)) {
    for (let i = 0; i < Math.max(recorded.length, now.length); i++) {
      if (i >= recorded.length) found.push({ path: `${path}[${i}]`, recorded: undefined, now: now[i] });
      else if (i >= now.length) found.push({ path: `${path}[${i}]`, recorded: recorded[i], now: undefined });
      else differences(recorded[i], now[i], `${path}[${i}]`, found);
      if (found.length >= MAX_DIFFERENCES) break;
    }
    return found;
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(recorded) && isObject(now)) {
    const keys = [...new Set([...Object.keys(recorded), ...Object.keys(now)])].sort();
    for (const key of keys) {
      const at = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      differences(recorded[key], now[key], at, found);
      if (found.length >= MAX_DIFFERENCES) break;
    }
    return found;
  }
  if (canonicalJson(recorded) !== canonicalJson(now)) found.push({ path, recorded, now });
  return found;
}

/** The differences of two requests (the method and path, then the bodies'). */
export function requestDifferences(recorded: RequestShape, now: RequestShape): Difference[] {
  const found: Difference[] = [];
  const line = (r: RequestShape) => `${r.method.toUpperCase()} ${pathOf(r.url)}`;
  if (line(recorded) !== line(now)) found.push({ path: 'request', recorded: line(recorded), now: line(now) });
  return differences(bodyValue(recorded.body), bodyValue(now.body), '$', found);
}

const shown = (v: unknown): string => {
  if (v === undefined) return '(absent)';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
};

/** A diff as lines: `- path: recorded` then `+ path: now`, for each difference. */
export function diffText(found: readonly Difference[]): string {
  return found.map((d) => `- ${d.path}: ${shown(d.recorded)}\n+ ${d.path}: ${shown(d.now)}`).join('\n');
}
