import { isSecretKey } from './key-words.js';
import type { ScrubRule } from './rule.js';

/**
 * Secrets recognised by their SHAPE inside free text (messages, bodies, exception messages
 * and stacks, string attribute values): vendor tokens, JWTs, `Bearer xxx`, PEM private keys,
 * credentials in URLs, `key=value` pairs whose key is secret-like, and long high-entropy runs
 * next to a key-like word. Each replacement is a fixed marker, never part of the secret.
 */

const VENDOR_TOKEN =
  /(?<![A-Za-z0-9_])(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|ya29\.[0-9A-Za-z_-]{20,}|npm_[A-Za-z0-9]{36}|hf_[A-Za-z0-9]{30,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}|dop_v1_[a-f0-9]{64}|shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32})(?![A-Za-z0-9_])/g;

const VENDOR_HINT =
  /sk-|[sr]k_|whsec_|gh[pousr]_|github_pat_|glpat-|xox|xapp-|AKIA|ASIA|ABIA|ACCA|AIza|ya29\.|npm_|hf_|SG\.|dop_v1_|shp/;

// `key=value` / `key: value` / `"key": "value"` / `key=\"value\"` (JSON inside a string). The
// key is an identifier of at most 64 characters; whether it is secret-like is decided by the
// same word rules as attribute keys (isSecretKey), in the replace callback.
const ASSIGNMENT =
  /(?<![A-Za-z0-9_])([A-Za-z][A-Za-z0-9_.-]{0,63})(\\?["']?[ \t]{0,4}[=:][ \t]{0,4})(\\?"[^"\\\n]*(?:\\?")?|'[^'\n]*'?|[^\s&,;"'\\]+)/g;
const ASSIGNMENT_HINT = /tok|secret|pass|pwd|bearer|cred|auth|cookie|key/i;
// Values the assignment rule leaves: an auth scheme (the bearer rule handles the credential
// after it) or a marker an earlier rule already put there.
const KEEP_VALUE = /^(?:\\?["'])?(?:<[a-z-]+>|(?:Bearer|Basic|Digest|Token|Negotiate|NTLM)$)/i;

// A key-like word, then `=`/`:` or a space (optionally "is"/"was"), then a long run of
// base64/hex characters: "aws secret key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
// "key: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".
const KEYWORD_RUN =
  /(?<![A-Za-z0-9])(key|token|secret|password|passwd|pwd|passphrase|credentials?|auth)((?:[ \t]{0,4}[=:][ \t]{0,4}|[ \t]{1,4}(?:(?:is|was|of|for|=)[ \t]{1,4})?)["'\\]{0,2})([A-Za-z0-9+/=_-]{20,})/gi;

// A bare 40-character AWS secret access key, only in text that talks about AWS (paths and
// other 40-character runs elsewhere stay intact); it must mix upper, lower case and digits.
const AWS_SECRET = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

const hasDigit = (s: string): boolean => /\d/.test(s);
const hasLetter = (s: string): boolean => /[A-Za-z]/.test(s);

export const SECRET_SHAPE_RULES: readonly ScrubRule[] = [
  {
    name: 'private-key',
    hint: (t) => t.includes('PRIVATE KEY'),
    pattern:
      /-----BEGIN[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)/g,
    replace: () => '<private-key>',
  },
  {
    name: 'jwt',
    hint: (t) => t.includes('eyJ'),
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
    replace: () => '<jwt>',
  },
  {
    // Bearer/Basic take any credential of 8+ characters; "token"/"digest" are also ordinary
    // words, so after them the credential must contain a digit ("Token verification failed").
    name: 'bearer',
    hint: (t) => /bearer|basic|token|digest/i.test(t),
    pattern: /(?<![A-Za-z0-9_])(Bearer|Basic|Token|Digest)[ \t]{1,8}([A-Za-z0-9._~+/=-]{8,})/gi,
    replace: (m, scheme, credential) =>
      /^(?:bearer|basic)$/i.test(scheme as string) || hasDigit(credential as string)
        ? `${scheme} <token>`
        : m,
  },
  {
    name: 'api-key',
    hint: (t) => VENDOR_HINT.test(t),
    pattern: VENDOR_TOKEN,
    replace: () => '<api-key>',
  },
  {
    name: 'url-userinfo',
    hint: (t) => t.includes('://') && t.includes('@'),
    pattern: /(?<![A-Za-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/@"'<>]+@/gi,
    replace: (_m, scheme) => `${scheme}<redacted>@`,
  },
  {
    name: 'secret-assignment',
    hint: (t) => (t.includes('=') || t.includes(':')) && ASSIGNMENT_HINT.test(t),
    pattern: ASSIGNMENT,
    replace: (m, key, sep, value) =>
      isSecretKey(key as string) && !KEEP_VALUE.test(value as string)
        ? `${key}${sep}<redacted>`
        : m,
  },
  {
    name: 'keyword-run',
    hint: (t) => ASSIGNMENT_HINT.test(t),
    pattern: KEYWORD_RUN,
    replace: (m, word, sep, run) =>
      hasDigit(run as string) && hasLetter(run as string) ? `${word}${sep}<redacted>` : m,
  },
  {
    name: 'aws-secret-key',
    hint: (t) => /aws|AKIA|ASIA/i.test(t),
    pattern: AWS_SECRET,
    replace: (m) => (/[a-z]/.test(m) && /[A-Z]/.test(m) && hasDigit(m) ? '<aws-secret>' : m),
  },
];

export const SECRET_SHAPE_RULE_NAMES: readonly string[] = SECRET_SHAPE_RULES.map((r) => r.name);
