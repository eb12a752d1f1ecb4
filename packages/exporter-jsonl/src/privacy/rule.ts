/**
 * One free-text scrubbing rule. Every pattern must run in linear time on any input: bounded
 * repetitions next to anything that can fail, no nested unbounded quantifiers, and a
 * lookbehind instead of a leading `\b` where a run of separators would make every position a
 * start (test/privacy tests 1 MB adversarial strings for each rule).
 */
export interface ScrubRule {
  name: string;
  /** Cheap necessary condition (substring checks): most strings skip most regexes. */
  hint?: (text: string) => boolean;
  /** A global regex (unless `apply` is given). */
  pattern?: RegExp;
  replace?: (match: string, ...groups: string[]) => string;
  /** A hand-written scan, for a shape no linear regex can find (e-mail: anchored on '@'). */
  apply?: (text: string) => string;
}

/** Applies the rules in order; returns the input itself when nothing matched. */
export function applyRules(rules: readonly ScrubRule[], text: string): string {
  let out = text;
  for (const rule of rules) {
    if (rule.hint && !rule.hint(out)) continue;
    if (rule.apply) {
      out = rule.apply(out);
      continue;
    }
    const pattern = rule.pattern;
    if (!pattern || !rule.replace) continue;
    pattern.lastIndex = 0;
    if (!pattern.test(out)) continue;
    pattern.lastIndex = 0;
    out = out.replace(pattern, rule.replace as (m: string, ...a: unknown[]) => string);
  }
  return out;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
