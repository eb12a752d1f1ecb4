import { replaceEnvSecrets, secretEnvValues } from './env-secrets.js';
import {
  currentHomeDir,
  currentUserName,
  HOME_PATH_RULES,
  homeLiteralRule,
  userNameRule,
} from './home-rules.js';
import { PII_SHAPE_RULES } from './pii-shapes.js';
import { applyRules, type ScrubRule } from './rule.js';
import { SECRET_SHAPE_RULES } from './secret-shapes.js';

/** Replaces personal data and secrets in one string; pure, returns the input when clean. */
export type TextScrubber = (text: string) => string;

export interface TextScrubberOptions {
  /** Home directories replaced by `~` (default: this machine's os.homedir()). */
  homeDirs?: readonly string[];
  /** User names replaced by `<user>` as whole words (default: the current user). */
  userNames?: readonly string[];
  /**
   * Environment whose secret-named variables' values are redacted wherever they appear
   * (default: process.env); `false` turns the rule off.
   */
  env?: Readonly<Record<string, string | undefined>> | false;
  /** Also the personal-data shapes (query strings, e-mail, IPs, cards). Default true. */
  pii?: boolean;
}

/**
 * The one privacy rule set, in order: secret environment values → this user's home dir →
 * secret shapes (private keys, JWTs, bearer credentials, vendor tokens, URL credentials,
 * secret `key=value`, key-like word + long run, AWS secret keys) → personal-data shapes →
 * anyone's home path → the user name. Used by the collector before anything leaves the
 * machine and by the crash handler at capture (without the personal-data shapes).
 */
export function createTextScrubber(options: TextScrubberOptions = {}): TextScrubber {
  const envValues = options.env === false ? [] : secretEnvValues(options.env ?? process.env);
  const home = homeLiteralRule(options.homeDirs ?? listOf(currentHomeDir()));
  const user = userNameRule(options.userNames ?? listOf(currentUserName()));
  const rules: ScrubRule[] = [
    ...(home ? [home] : []),
    ...SECRET_SHAPE_RULES,
    ...(options.pii === false ? [] : PII_SHAPE_RULES),
    ...HOME_PATH_RULES,
    ...(user ? [user] : []),
  ];
  return (text: string): string => {
    if (typeof text !== 'string' || text.length === 0) return text;
    const out = envValues.length > 0 ? replaceEnvSecrets(envValues, text) : text;
    return applyRules(rules, out);
  };
}

function listOf(value: string | undefined): string[] {
  return value === undefined ? [] : [value];
}

/** Names of the rules, in the order they run (for the guide's table). */
export const TEXT_SCRUB_RULE_NAMES: readonly string[] = [
  'env-secret',
  'home-literal',
  ...SECRET_SHAPE_RULES.map((r) => r.name),
  ...PII_SHAPE_RULES.map((r) => r.name),
  ...HOME_PATH_RULES.map((r) => r.name),
  'user-name',
];

/** Options of the two presets: everything but the choice of rule set. */
export type ScrubberPresetOptions = Omit<TextScrubberOptions, 'pii'>;

/**
 * The capture-time preset, applied by @otelspool/crash to every path, message and frame it
 * records: home dirs, user names and secrets go, but personal-data shapes (e-mail, IPs, query
 * strings) stay, since the local report is the user's own debugging aid. Sync removes those.
 */
export function createCaptureScrubber(options: ScrubberPresetOptions = {}): TextScrubber {
  return createTextScrubber({ ...options, pii: false });
}

/** The sync-time preset, applied by @otelspool/collector before anything leaves: every rule. */
export function createSyncScrubber(options: ScrubberPresetOptions = {}): TextScrubber {
  return createTextScrubber({ ...options, pii: true });
}
