// Renders TELEMETRY_GUIDE.md's "what leaves, key by key" tables from the lists the code uses,
// so the guide cannot drift from the rules (guide-table.test.ts compares them).
// Print it: npx vitest run packages/exporter-jsonl/test/privacy/guide-table.test.ts -t print
import {
  DEFAULT_DROP_KEYS,
  DEFAULT_HASH_KEYS,
  ENV_KEY_WORDS,
  ENV_SECRET_EXCEPTIONS,
  MIN_ENV_SECRET_LENGTH,
  PII_SHAPE_RULE_NAMES,
  SECRET_KEY_PHRASES,
  SECRET_KEY_QUALIFIERS,
  SECRET_KEY_SUFFIXES,
  SECRET_KEY_WORDS,
  SEMCONV_ALLOW_KEYS,
  TEXT_SCRUB_RULE_NAMES,
} from '../../src/internal.js';

export const TABLE_BEGIN =
  '<!-- privacy-table:begin (generated from packages/exporter-jsonl/src/privacy by packages/exporter-jsonl/test/privacy/guide-table.ts; do not edit by hand) -->';
export const TABLE_END = '<!-- privacy-table:end -->';

/** What each free-text rule finds and what it leaves; one entry per TEXT_SCRUB_RULE_NAMES. */
export const RULE_DOCS: Record<string, [finds: string, becomes: string]> = {
  'env-secret': [
    `the value of any environment variable of the scrubbing process whose NAME is secret-like (the key rules above), ${MIN_ENV_SECRET_LENGTH}+ characters, except ${ENV_SECRET_EXCEPTIONS.map((n) => `\`${n}\``).join(', ')}`,
    '`<redacted>`',
  ],
  'home-literal': [
    'this user’s home directory (both slash styles, inside `file://` URLs too)',
    '`~`',
  ],
  'private-key': [
    'PEM private key blocks (`-----BEGIN … PRIVATE KEY-----` to END, or to the end of the text)',
    '`<private-key>`',
  ],
  jwt: ['JWTs (`eyJ….….…`)', '`<jwt>`'],
  bearer: [
    '`Bearer`/`Basic` + credential; `Token`/`Digest` + a credential with a digit',
    '`Bearer <token>`',
  ],
  'api-key': [
    'vendor tokens: OpenAI/Anthropic `sk-`, Stripe `sk_`/`rk_`/`whsec_`, GitHub `ghp_`…/`github_pat_`, GitLab `glpat-`, Slack `xox?-`/`xapp-`, AWS key ids `AKIA`/`ASIA`/`ABIA`/`ACCA`, Google `AIza`/`ya29.`, npm `npm_`, Hugging Face `hf_`, SendGrid `SG.`, DigitalOcean `dop_v1_`, Shopify `shp*_`',
    '`<api-key>`',
  ],
  'url-userinfo': ['credentials in URLs (`scheme://user:pass@`)', '`scheme://<redacted>@`'],
  'secret-assignment': [
    '`key=value`, `key: value`, `"key":"value"` (also JSON escaped inside a string) whose key is secret-like by the key rules (`password=`, `aws_secret_access_key=`, `x-api-token:`)',
    '`key=<redacted>`',
  ],
  'keyword-run': [
    '`key`/`token`/`secret`/`password`/`passwd`/`pwd`/`passphrase`/`credential(s)`/`auth`, then `=`, `:` or a space (optionally `is`/`was`/`of`/`for`), then a 20+ character base64/hex run with a letter and a digit',
    '`key <redacted>`',
  ],
  'aws-secret-key': [
    'a bare 40-character AWS secret access key (upper + lower case + digit) in text that mentions AWS or an AWS key id',
    '`<aws-secret>`',
  ],
  'url-query': ['query strings of absolute URLs', '`?<redacted>`'],
  'path-query': ['query strings of relative URLs (`GET /search?q=…`)', '`?<redacted>`'],
  email: ['e-mail addresses', '`<email>`'],
  'ipv4-mapped-ipv6': ['`::ffff:a.b.c.d`', '`<ip>`'],
  ipv6: ['IPv6 addresses', '`<ip>`'],
  ipv4: ['IPv4 addresses', '`<ip>`'],
  card: ['Luhn-valid card numbers (13–19 digits, issuer prefix 2–6)', '`<card>`'],
  'home-unix': ['anyone’s `/home/<name>` or `/Users/<name>`', '`/home/<user>`'],
  'home-windows': ['anyone’s `C:\\Users\\<name>`', '`C:\\Users\\<user>`'],
  'user-name': [
    'the current user name as a whole word (not for names under 3 characters or generic ones such as `root`)',
    '`<user>`',
  ],
};

const code = (s: string): string => `\`${s}\``;
const list = (xs: readonly string[]): string => xs.map(code).join(', ');

export function renderGuideTable(): string {
  const rows: string[] = [];
  const row = (...cells: string[]): void => {
    rows.push(`| ${cells.join(' | ')} |`);
  };
  rows.push(
    '| attribute key | what leaves | rule (in this order; the first that matches decides) |',
  );
  rows.push('|---|---|---|');
  row(
    'keys in `redaction.allowKeys`',
    '**kept** verbatim (no hashing, no scrubbing)',
    '1. `allowKeys` option',
  );
  row('keys in `redaction.denyKeys`', '**dropped**', '2. `denyKeys` option');
  for (const k of DEFAULT_DROP_KEYS) row(code(k), '**dropped**', '3. `DEFAULT_DROP_KEYS`');
  row(
    `any key with a secret word: ${list(SECRET_KEY_WORDS)}; a word ending in ${list(SECRET_KEY_SUFFIXES)}; or the words ${SECRET_KEY_PHRASES.map((p) => code(p.join('.'))).join(', ')} — words split on \`.\`, \`_\`, \`-\` and camelCase; not when the next word is ${list(SECRET_KEY_QUALIFIERS)}`,
    '**dropped**',
    '4. secret words (`isSecretKey`)',
  );
  for (const k of DEFAULT_HASH_KEYS)
    row(
      code(k),
      '**hashed**: HMAC-SHA256 with the install’s salt, 32 hex chars',
      '5. `DEFAULT_HASH_KEYS` (+ `hashKeys`)',
    );
  for (const k of SEMCONV_ALLOW_KEYS)
    row(code(k), '**kept**, string values **scrubbed**', '6. `SEMCONV_ALLOW_KEYS`');
  row(
    `any other key with the word ${list(ENV_KEY_WORDS)}`,
    '**dropped**',
    '7. environment words (`isEnvKey`)',
  );
  row(
    'every other key',
    'key and string values **scrubbed**; numbers and booleans kept',
    '8. default',
  );
  rows.push('');
  rows.push('| free-text rule (in order) | finds | becomes | applied at |');
  rows.push('|---|---|---|---|');
  for (const name of TEXT_SCRUB_RULE_NAMES) {
    const doc = RULE_DOCS[name];
    if (!doc) throw new Error(`free-text rule ${name} has no entry in RULE_DOCS`);
    // derived, not written: the personal-data shapes are the rules crash capture leaves out
    row(code(name), ...doc, PII_SHAPE_RULE_NAMES.includes(name) ? 'sync' : 'capture + sync');
  }
  return [TABLE_BEGIN, ...rows, TABLE_END].join('\n');
}
