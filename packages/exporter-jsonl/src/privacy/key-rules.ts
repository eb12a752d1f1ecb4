import {
  APP_CRASH_EVENT_NAME,
  CRASH_ATTRIBUTE_PREFIXES,
  OTELSPOOL_ATTRIBUTES,
} from '../semconv/crash.js';
import { isEnvKey, isSecretKey } from './key-words.js';

/** Attribute key patterns: exact keys, or a `prefix.*` wildcard. */
export type KeyPattern = string;

/** What happens to an attribute before it leaves the machine. */
export type KeyAction = 'keep' | 'drop' | 'hash' | 'scrub';

/** Why: which rule decided (for the guide's table and for tests). */
export type KeyRule =
  | 'allowKeys'
  | 'denyKeys'
  | 'default-drop'
  | 'hash'
  | 'semconv-allow'
  | 'secret-word'
  | 'env-word'
  | 'default';

/** Identifiers replaced by a salted HMAC: still groupable (same host → same hash), not reversible. */
export const DEFAULT_HASH_KEYS: readonly KeyPattern[] = [
  'host.name',
  'host.id',
  'process.owner',
  'enduser.*',
  'user.*',
  'machine.id',
  'service.instance.id.host',
];

/** Keys dropped outright: command lines, environments and credential headers. */
export const DEFAULT_DROP_KEYS: readonly KeyPattern[] = [
  'process.command_args',
  'process.command_line',
  'process.environment',
  'process.environment.*',
  'process.env.*',
  'env.*',
  'environment_variables',
  'environment_variables.*',
  'http.request.header.authorization',
  'http.request.header.cookie',
  'http.response.header.set-cookie',
  'http.request.header.proxy-authorization',
];

/**
 * Semantic-convention keys the environment-word rule never drops: backends filter and group
 * on them, and the rule would otherwise catch some (`deployment.environment.name` has the word
 * `environment`). None of them is secret-like (a test checks), so the secret-word rule never
 * touches them either; a wildcard does not exempt a secret-like key (`service.api_key` is
 * dropped). Their string values still go through the free-text scrubber (home paths, e-mail
 * addresses, secrets inside a message). Explicit lists win over this one: a key in
 * DEFAULT_DROP_KEYS / denyKeys is dropped, a key in DEFAULT_HASH_KEYS / hashKeys is hashed.
 */
export const SEMCONV_ALLOW_KEYS: readonly KeyPattern[] = [
  'service.*',
  'telemetry.*',
  'deployment.environment',
  'deployment.environment.name',
  'deployment.name',
  'deployment.id',
  'host.arch',
  'host.type',
  'os.*',
  'process.runtime.*',
  'process.pid',
  'process.parent_pid',
  'process.exit.code',
  'session.id',
  'session.previous_id',
  'exception.type',
  'exception.message',
  'exception.stacktrace',
  'exception.escaped',
  'error.type',
  'event.name',
  'otel.scope.name',
  'otel.scope.version',
  'otel.status_code',
  'otel.status_description',
  // the crash vocabulary: a crashes-only grant and crash grouping depend on these
  ...CRASH_ATTRIBUTE_PREFIXES.map((p) => `${p}*`),
  ...Object.values(OTELSPOOL_ATTRIBUTES),
  APP_CRASH_EVENT_NAME,
];

/** A matcher for exact keys and `prefix.*` wildcards. */
export function compileKeyPatterns(patterns: readonly KeyPattern[]): (key: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const p of patterns) {
    if (p.endsWith('.*')) prefixes.push(p.slice(0, -1));
    else exact.add(p);
  }
  return (key) => exact.has(key) || prefixes.some((prefix) => key.startsWith(prefix));
}

export interface KeyRuleOptions {
  /** Keys whose values are kept verbatim (no hashing, no scrubbing). Wins over everything. */
  allowKeys?: readonly KeyPattern[];
  /** Extra keys to drop entirely. */
  denyKeys?: readonly KeyPattern[];
  /** Extra keys whose values are replaced by their salted HMAC. */
  hashKeys?: readonly KeyPattern[];
}

export interface KeyDecision {
  action: KeyAction;
  rule: KeyRule;
}

export type KeyClassifier = (key: string) => KeyDecision;

const DECISIONS: Record<KeyRule, KeyDecision> = {
  allowKeys: { action: 'keep', rule: 'allowKeys' },
  denyKeys: { action: 'drop', rule: 'denyKeys' },
  'default-drop': { action: 'drop', rule: 'default-drop' },
  hash: { action: 'hash', rule: 'hash' },
  'semconv-allow': { action: 'scrub', rule: 'semconv-allow' },
  'secret-word': { action: 'drop', rule: 'secret-word' },
  'env-word': { action: 'drop', rule: 'env-word' },
  default: { action: 'scrub', rule: 'default' },
};

// Records repeat the same few hundred keys millions of times: decisions are memoised, the
// table bounded so a stream of unique (hostile) keys cannot grow it without limit.
const MAX_CACHED_KEYS = 4096;

/**
 * The key rules, in order: allowKeys (kept verbatim) → denyKeys and DEFAULT_DROP_KEYS
 * (dropped) → secret words (dropped) → hashKeys and DEFAULT_HASH_KEYS (HMAC) →
 * SEMCONV_ALLOW_KEYS (scrubbed, never dropped by the environment rule) → environment words
 * (dropped) → everything else is scrubbed as free text. Secret words beat hashing (a salted
 * hash of a password is still derived from the password) and the allow-list (`service.*`
 * must not carry `service.api_key` out); no listed semantic-convention key is secret-like.
 */
export function createKeyClassifier(options: KeyRuleOptions = {}): KeyClassifier {
  const isAllowed = compileKeyPatterns(options.allowKeys ?? []);
  const isDenied = compileKeyPatterns(options.denyKeys ?? []);
  const isDefaultDrop = compileKeyPatterns(DEFAULT_DROP_KEYS);
  const isHashed = compileKeyPatterns([...DEFAULT_HASH_KEYS, ...(options.hashKeys ?? [])]);
  const isSemconv = compileKeyPatterns(SEMCONV_ALLOW_KEYS);
  const cache = new Map<string, KeyDecision>();
  const decide = (key: string): KeyDecision => {
    if (isAllowed(key)) return DECISIONS.allowKeys;
    if (isDenied(key)) return DECISIONS.denyKeys;
    if (isDefaultDrop(key)) return DECISIONS['default-drop'];
    if (isSecretKey(key)) return DECISIONS['secret-word'];
    if (isHashed(key)) return DECISIONS.hash;
    if (isSemconv(key)) return DECISIONS['semconv-allow'];
    if (isEnvKey(key)) return DECISIONS['env-word'];
    return DECISIONS.default;
  };
  return (key: string): KeyDecision => {
    let decision = cache.get(key);
    if (decision === undefined) {
      decision = decide(key);
      if (cache.size >= MAX_CACHED_KEYS) cache.clear();
      cache.set(key, decision);
    }
    return decision;
  };
}
