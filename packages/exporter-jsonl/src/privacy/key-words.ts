/**
 * Secret-like and environment-like attribute keys, matched by WORDS rather than substrings:
 * a key is split on `.`, `_`, `-` (any non-alphanumeric) and on camelCase boundaries, so
 * `x-api-token`, `githubToken` and `session.token` are secret-like while `author`,
 * `otelspool.crash.signature` and `gen_ai.usage.input_tokens` are not. The same words decide
 * which environment variables count as secrets (see env-secrets.ts).
 */

/** A word that is a secret-like key on its own (`bearer`, `auth`, `pwd`, ...). */
export const SECRET_KEY_WORDS: readonly string[] = [
  'auth',
  'authorization',
  'bearer',
  'cookie',
  'cookies',
  'creds',
  'pwd',
];

/**
 * A word that is secret-like on its own or as the END of a run-together word: `token`,
 * `refreshtoken` and `pgpassword` match; `tokens` (a count, as in `gen_ai.usage.input_tokens`)
 * and `tokenizer` do not.
 */
export const SECRET_KEY_SUFFIXES: readonly string[] = [
  'password',
  'passwd',
  'passphrase',
  'token',
  'secret',
  'credential',
  'credentials',
  'apikey',
  'privatekey',
  'accesskey',
  'secretkey',
];

/** Consecutive words that make a key secret-like together (`api.key`, `private_key`, `accessKeyId`). */
export const SECRET_KEY_PHRASES: readonly (readonly string[])[] = [
  ['api', 'key'],
  ['private', 'key'],
  ['access', 'key'],
  ['secret', 'key'],
  ['signing', 'key'],
  ['encryption', 'key'],
  ['master', 'key'],
  ['session', 'key'],
  ['client', 'key'],
];

/**
 * A word right after the secret word that says the value describes the secret rather than
 * being it: `auth.method`, `token.type`, `llm.token_count.prompt`, `password.length` are kept.
 */
export const SECRET_KEY_QUALIFIERS: readonly string[] = [
  'algorithm',
  'count',
  'enabled',
  'expiration',
  'expires',
  'expiry',
  'format',
  'kind',
  'length',
  'limit',
  'method',
  'provider',
  'required',
  'result',
  'scheme',
  'size',
  'status',
  'ttl',
  'type',
  'usage',
];

/** A word that marks an environment dump (`process.environment`, `app.env.HOME`): dropped. */
export const ENV_KEY_WORDS: readonly string[] = ['env', 'environ', 'environment'];

const SECRET_WORDS = new Set(SECRET_KEY_WORDS);
const QUALIFIERS = new Set(SECRET_KEY_QUALIFIERS);
const ENV_WORDS = new Set(ENV_KEY_WORDS);
// Cheap necessary condition: a key with none of these stems cannot match any rule above.
const SECRET_STEM = /tok|secret|pass|pwd|bearer|cred|auth|cookie|key/i;
const ENV_STEM = /env/i;
// Words are tokenised from at most this many characters: keys are short; a hostile 1 MB
// key costs one bounded pass.
const MAX_KEY_SCAN = 512;

/** Lower-case words of an attribute key: split on non-alphanumerics and camelCase humps. */
export function splitKeyWords(key: string): string[] {
  const text = key.length > MAX_KEY_SCAN ? key.slice(0, MAX_KEY_SCAN) : key;
  const words: string[] = [];
  for (const part of text.split(/[^A-Za-z0-9]+/)) {
    if (part.length === 0) continue;
    // fooBar -> foo Bar; APIKey -> API Key; x2Token -> x2 Token
    const spaced = part
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
    for (const w of spaced.split(' ')) if (w.length > 0) words.push(w.toLowerCase());
  }
  return words;
}

function isSecretWord(word: string): boolean {
  if (SECRET_WORDS.has(word)) return true;
  for (const suffix of SECRET_KEY_SUFFIXES) if (word.endsWith(suffix)) return true;
  return false;
}

function phraseAt(words: readonly string[], i: number): number {
  for (const phrase of SECRET_KEY_PHRASES) {
    if (i + phrase.length > words.length) continue;
    let ok = true;
    for (let j = 0; j < phrase.length && ok; j++) ok = words[i + j] === phrase[j];
    if (ok) return phrase.length;
  }
  return 0;
}

// Free text repeats the same few keys (`token=`, `password:`): answers are memoised in a
// bounded table, so a stream of unique hostile keys cannot grow it.
const secretCache = new Map<string, boolean>();
const MAX_CACHED = 2048;

/** Whether values under this key are secrets: some secret word or phrase not followed by a qualifier. */
export function isSecretKey(key: string): boolean {
  if (!SECRET_STEM.test(key)) return false;
  const cached = secretCache.get(key);
  if (cached !== undefined) return cached;
  const answer = secretWordsIn(key);
  if (key.length <= 128) {
    if (secretCache.size >= MAX_CACHED) secretCache.clear();
    secretCache.set(key, answer);
  }
  return answer;
}

function secretWordsIn(key: string): boolean {
  const words = splitKeyWords(key);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const span = isSecretWord(word) ? 1 : phraseAt(words, i);
    if (span === 0) continue;
    const next = words[i + span];
    if (next === undefined || !QUALIFIERS.has(next)) return true;
  }
  return false;
}

/** Whether this key names environment data (`env`, `environ`, `environment` as a word). */
export function isEnvKey(key: string): boolean {
  if (!ENV_STEM.test(key)) return false;
  return splitKeyWords(key).some((w) => ENV_WORDS.has(w));
}
