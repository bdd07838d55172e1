/**
 * The rules of a mask, as an app writes them in code (`init({ mask })`) and as a team writes them
 * in a file (`agentops-server --mask-file rules.json`): one format for both.
 *
 * - `{ match: 'user.id', action }`: a name (`*` matches any run of characters: `gen_ai.prompt.*`)
 *   whose whole value is masked. In the SDK the name is an attribute's; on the server a field's
 *   of the wire payload (`prompt`, `user_id`, `params`, ...), at any depth.
 * - `{ match: /sk-[a-z0-9]+/i, action }` or, in JSON, `{ pattern: 'sk-[a-z0-9]+', flags: 'i', action }`:
 *   a pattern masked wherever it occurs in a text value, as decoded text (message contents, not
 *   their JSON encoding).
 *
 * `redact` writes `[REDACTED]`, `hash` a SHA-256 prefix (`sha256:1a2b...`: the same text always the
 * same hash), `drop` removes the value.
 */
export type MaskAction = 'redact' | 'hash' | 'drop';

export type MaskRule =
  | {
      /** A name (with `*` wildcards), or a pattern masked wherever it occurs in a text value. */
      match: string | RegExp;
      action: MaskAction;
    }
  | {
      /** A pattern (RegExp source) masked wherever it occurs in a text value: the JSON form of `match: RegExp`. */
      pattern: string;
      /** RegExp flags (`i`, `u`, `s`, `m`); `g` is implied. */
      flags?: string;
      action: MaskAction;
    };

/** Returns the text to keep (masked as it likes), or undefined to drop the value. */
export type MaskFunction = (value: string, name: string) => string | undefined;

export type MaskOption = MaskRule[] | { rules?: MaskRule[]; fn?: MaskFunction };

export interface CompiledRule {
  /** Matches a whole name. */
  name?: RegExp;
  /** Matches inside text (global). */
  pattern?: RegExp;
  action: MaskAction;
}

const ACTIONS: ReadonlySet<unknown> = new Set(['redact', 'hash', 'drop']);

function namePattern(name: string): RegExp {
  const escaped = name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${escaped}$`);
}

function globalPattern(source: string, flags: string): RegExp {
  return new RegExp(source, flags.includes('g') ? flags : `${flags}g`);
}

/**
 * One rule checked; a reason why not when it is not one (the caller says it and skips the rule,
 * or refuses the file).
 */
export function compileRule(rule: unknown): CompiledRule | string {
  if (typeof rule !== 'object' || rule === null)
    return `a rule is an object ({ match | pattern, action }), not ${String(rule)}`;
  const r = rule as Record<string, unknown>;
  const action = r.action;
  if (!ACTIONS.has(action)) return `a rule's action must be redact, hash or drop (got ${JSON.stringify(action)})`;
  const a = action as MaskAction;
  if ('pattern' in r) {
    if (typeof r.pattern !== 'string' || r.pattern === '') return "a rule's pattern must be a non-empty RegExp source";
    if (r.flags !== undefined && (typeof r.flags !== 'string' || !/^[gimsuv]*$/.test(r.flags)))
      return `a rule's flags must be RegExp flags (got ${JSON.stringify(r.flags)})`;
    try {
      return { pattern: globalPattern(r.pattern, (r.flags as string | undefined) ?? ''), action: a };
    } catch (err) {
      return `a rule's pattern ${JSON.stringify(r.pattern)} is not a RegExp: ${(err as Error).message}`;
    }
  }
  if (typeof r.match === 'string' && r.match !== '') return { name: namePattern(r.match), action: a };
  if (r.match instanceof RegExp) return { pattern: globalPattern(r.match.source, r.match.flags), action: a };
  return 'a rule must match a name (a non-empty string) or a pattern (a RegExp)';
}

/** The rules and function of a `mask` option; a rule that is not one is said and skipped. */
export function compileOption(
  option: MaskOption,
  warn: (message: string) => void,
): { rules: CompiledRule[]; fn?: MaskFunction } {
  const given = Array.isArray(option) ? option : Array.isArray(option.rules) ? option.rules : [];
  const fn = !Array.isArray(option) && typeof option.fn === 'function' ? option.fn : undefined;
  const rules: CompiledRule[] = [];
  for (const rule of given) {
    const compiled = compileRule(rule);
    if (typeof compiled === 'string') warn(`mask: ${compiled}; rule skipped.`);
    else rules.push(compiled);
  }
  return { rules, fn };
}

/**
 * The rules of a rule file's JSON (a list of rules, or `{ "rules": [...] }`), every one checked:
 * throws an Error saying which rule is wrong and why (a policy is applied whole or not at all).
 */
export function parseMaskRules(json: unknown): MaskRule[] {
  const list = Array.isArray(json) ? json : (json as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) throw new Error('mask rules must be a JSON list of rules, or { "rules": [...] }');
  list.forEach((rule, i) => {
    if (rule !== null && typeof rule === 'object' && rule.match !== undefined && typeof rule.match !== 'string')
      throw new Error(`mask rule ${i}: match must be a name; write a pattern as { "pattern": "...", "flags": "i" }`);
    const compiled = compileRule(rule);
    if (typeof compiled === 'string') throw new Error(`mask rule ${i}: ${compiled}`);
  });
  return list as MaskRule[];
}
