import type { ScrubRule } from './rule.js';

/**
 * Personal data recognised by shape in free text: query strings, e-mail addresses, IP
 * addresses, card numbers. Applied to everything that leaves the machine (sync, dry-run); not
 * at crash capture, where the local report keeps them for the user's own debugging.
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

// Whether some absolute URL in the text has a query: one forward pass (each URL is scanned
// once, the search resumes after it), so the url-query regex only runs where it will replace.
function hasUrlQuery(t: string): boolean {
  let i = t.indexOf('://');
  while (i !== -1) {
    let j = i + 3;
    for (; j < t.length; j++) {
      const c = t.charCodeAt(j);
      if (c === 63) return true; // ?
      // whitespace, #, ", ', <, >: the URL ends
      if (c <= 32 || c === 35 || c === 34 || c === 39 || c === 60 || c === 62) break;
    }
    i = t.indexOf('://', j);
  }
  return false;
}

// E-mail: local part of every RFC 5322 atext character (o'brien@..., a|b@...), at most 64 of
// them (RFC 5321); domain labels of at most 63, at most 10 labels. Found from each '@'
// (walking back over the local part, then a sticky regex for the domain) rather than by one
// regex: a regex starts at every position of a long atext run and reads 64 characters each.
const ATEXT = /[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/;
const DOMAIN = /[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,63}(?![A-Za-z])/y;
const MAX_LOCAL = 64;

function scrubEmails(text: string): string {
  let out = '';
  let copied = 0; // text[0, copied) is already in `out`
  let at = text.indexOf('@');
  while (at !== -1) {
    let start = at;
    while (start > copied && at - start < MAX_LOCAL && ATEXT.test(text.charAt(start - 1))) start--;
    DOMAIN.lastIndex = at + 1;
    if (start < at && DOMAIN.test(text)) {
      out += text.slice(copied, start) + '<email>';
      copied = DOMAIN.lastIndex;
      at = text.indexOf('@', copied);
    } else {
      at = text.indexOf('@', at + 1);
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const IPV6 =
  /(?<![\w:.])(?:(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6})?::(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6})?)(?:%[0-9A-Za-z]{1,32})?(?![\w:.])/g;

export const PII_SHAPE_RULES: readonly ScrubRule[] = [
  {
    name: 'url-query',
    hint: hasUrlQuery,
    // The query is optional in the pattern so that a URL without one still matches and the
    // scan resumes after it: a required `\?` made "a://,a://,…" quadratic (every scheme
    // scanning to the end, then failing). Scheme bounded, anchored by a lookbehind.
    pattern: /(?<![A-Za-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/[^\s?#"'<>]*)(\?[^\s#"'<>]*)?/gi,
    replace: (m, base, query) => (query ? `${base}?<redacted>` : m),
  },
  {
    // Relative URLs (span names like "GET /search?q=..."): the query string goes too. A path
    // ends at every character that can start one (whitespace, quotes, `(`), so a failed scan
    // never overlaps the next: linear even with the query required.
    name: 'path-query',
    hint: (t) => t.includes('?'),
    pattern: /(^|[\s"'(])(\/[^\s?#"'<>(]*)\?(?!<redacted>)[^\s#"'<>]+/g,
    replace: (_m, lead, path) => `${lead}${path}?<redacted>`,
  },
  {
    name: 'email',
    hint: (t) => t.includes('@'),
    apply: scrubEmails,
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

export const PII_SHAPE_RULE_NAMES: readonly string[] = PII_SHAPE_RULES.map((r) => r.name);
