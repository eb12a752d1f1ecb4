import { homedir } from 'node:os';

/**
 * Free-text scrubbing: the patterns that find personal data and secrets inside any string
 * (attribute values, log bodies, exception messages and stack traces, span names).
 * Hand-written rather than a library: the few maintained PII libraries for Node are
 * NLP-heavy (slow, large) or target other languages; these are a dozen anchored regexes.
 *
 * Each replacement is a fixed marker (`<email>`, `<ip>`, ...) so redacted output stays
 * readable and never carries any part of the original secret.
 */

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Rule {
  name: string;
  /** Cheap necessary condition (substring checks): most strings skip most regexes. */
  hint?: (text: string) => boolean;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

const API_KEY =
  /\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}|sk_(?:live|test)_[A-Za-z0-9]{16,}|rk_(?:live|test)_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|npm_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/g;

const IPV6 =
  /(?<![\w:.])(?:(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6})?::(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6})?)(?:%[0-9A-Za-z]+)?(?![\w:.])/g;

const BASE_RULES: Rule[] = [
  {
    name: 'jwt',
    hint: (t) => t.includes('eyJ'),
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
    replace: () => '<jwt>',
  },
  {
    name: 'bearer',
    hint: (t) => /bearer|basic|token|digest/i.test(t),
    pattern: /\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (_m, scheme) => `${scheme} <token>`,
  },
  {
    name: 'api-key',
    hint: (t) => /sk[-_]|rk_|gh[pousr]_|github_pat_|glpat-|xox|xapp-|AKIA|ASIA|AIza|npm_/.test(t),
    pattern: API_KEY,
    replace: () => '<api-key>',
  },
  {
    name: 'private-key',
    hint: (t) => t.includes('PRIVATE KEY'),
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    replace: () => '<private-key>',
  },
  {
    name: 'url-userinfo',
    hint: (t) => t.includes('://') && t.includes('@'),
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"'<>]+@/gi,
    replace: (_m, scheme) => `${scheme}<redacted>@`,
  },
  {
    name: 'url-query',
    hint: (t) => t.includes('://') && t.includes('?'),
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*)\?[^\s#"'<>]*/gi,
    replace: (_m, base) => `${base}?<redacted>`,
  },
  {
    // Relative URLs (span names like "GET /search?q=..."): the query string goes too.
    name: 'path-query',
    hint: (t) => t.includes('?'),
    pattern: /(^|[\s"'(])(\/[^\s?#"'<>]*)\?(?!<redacted>)[^\s#"'<>]+/g,
    replace: (_m, lead, path) => `${lead}${path}?<redacted>`,
  },
  {
    name: 'secret-assignment',
    hint: (t) => t.includes('=') || t.includes(':'),
    pattern:
      /\b(password|passwd|pwd|secret|client_secret|token|access_token|refresh_token|api[_-]?key|apikey|auth)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;"']+)/gi,
    replace: (_m, key, sep) => `${key}${sep}<redacted>`,
  },
  {
    name: 'email',
    hint: (t) => t.includes('@'),
    // Local part: every RFC 5322 atext character (o'brien@..., a|b@...), at most 64 of them
    // (RFC 5321), which also bounds backtracking on long runs without a domain.
    pattern:
      /[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
    replace: () => '<email>',
  },
  {
    name: 'home-unix',
    hint: (t) => t.includes('/home/') || t.includes('/Users/'),
    pattern: /(\/(?:home|Users)\/)(?!<user>)[^/\s"':]+/g,
    replace: (_m, prefix) => `${prefix}<user>`,
  },
  {
    name: 'home-windows',
    hint: (t) => t.includes(':\\') || t.includes(':/'),
    pattern:
      /\b([A-Za-z]:(?:\\\\|\\|\/)(?:Users|Documents and Settings)(?:\\\\|\\|\/))(?!<user>)[^\\/\s"':]+/gi,
    replace: (_m, prefix) => `${prefix}<user>`,
  },
  {
    name: 'ipv4-mapped-ipv6',
    hint: (t) => t.includes('::'),
    pattern: /::ffff:(?:\d{1,3}\.){3}\d{1,3}\b/gi,
    replace: () => '<ip>',
  },
  {
    name: 'ipv6',
    hint: (t) => t.includes(':'),
    pattern: IPV6,
    replace: (m) => (/[0-9a-fA-F]/.test(m) ? '<ip>' : m),
  },
  {
    name: 'ipv4',
    hint: (t) => t.includes('.'),
    pattern: /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/g,
    replace: () => '<ip>',
  },
  {
    // Card numbers: 13–19 digits, optional space/dash groups, issuer prefix 2–6, Luhn valid.
    // Issuer + Luhn keep nanosecond timestamps and ordinary ids intact.
    name: 'card',
    pattern: /\b[2-6]\d(?:[ -]?\d){11,17}\b/g,
    replace: (m) => (luhnValid(m.replace(/[ -]/g, '')) ? '<card>' : m),
  },
];

export interface ScrubberOptions {
  /** Extra home directories to replace with `~` (default: this machine's os.homedir()). */
  homeDirs?: string[];
}

export type Scrubber = (text: string) => string;

/** A scrubber: every rule, in order, over the string; pure and allocation-free when clean. */
export function createScrubber(options: ScrubberOptions = {}): Scrubber {
  const rules: Rule[] = [];
  const homes = (options.homeDirs ?? [safeHomedir()]).filter((h) => h.length > 3);
  for (const home of homes) {
    rules.push({
      name: 'home-literal',
      pattern: new RegExp(escapeRegExp(home) + '(?![\\w.-])', 'g'),
      replace: () => '~',
    });
  }
  rules.push(...BASE_RULES);
  return (text: string): string => {
    if (text.length === 0) return text;
    let out = text;
    for (const rule of rules) {
      if (rule.hint && !rule.hint(out)) continue;
      rule.pattern.lastIndex = 0;
      if (!rule.pattern.test(out)) continue;
      rule.pattern.lastIndex = 0;
      out = out.replace(rule.pattern, rule.replace as (m: string, ...a: unknown[]) => string);
    }
    return out;
  };
}

function safeHomedir(): string {
  try {
    return homedir();
  } catch {
    return '';
  }
}

export const SCRUB_RULE_NAMES: readonly string[] = BASE_RULES.map((r) => r.name);
