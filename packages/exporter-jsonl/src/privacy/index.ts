export {
  ENV_KEY_WORDS,
  isEnvKey,
  isSecretKey,
  SECRET_KEY_PHRASES,
  SECRET_KEY_QUALIFIERS,
  SECRET_KEY_SUFFIXES,
  SECRET_KEY_WORDS,
  splitKeyWords,
} from './key-words.js';
export {
  compileKeyPatterns,
  createKeyClassifier,
  DEFAULT_DROP_KEYS,
  DEFAULT_HASH_KEYS,
  SEMCONV_ALLOW_KEYS,
  type KeyAction,
  type KeyClassifier,
  type KeyDecision,
  type KeyPattern,
  type KeyRule,
  type KeyRuleOptions,
} from './key-rules.js';
export {
  ENV_SECRET_EXCEPTIONS,
  MIN_ENV_SECRET_LENGTH,
  replaceEnvSecrets,
  secretEnvValues,
} from './env-secrets.js';
export {
  currentHomeDir,
  currentUserName,
  GENERIC_USER_NAMES,
  HOME_PATH_RULES,
  homeLiteralRule,
  userNameRule,
} from './home-rules.js';
export { PII_SHAPE_RULE_NAMES, PII_SHAPE_RULES } from './pii-shapes.js';
export { SECRET_SHAPE_RULE_NAMES, SECRET_SHAPE_RULES } from './secret-shapes.js';
export { applyRules, type ScrubRule } from './rule.js';
export {
  createCaptureScrubber,
  createSyncScrubber,
  createTextScrubber,
  TEXT_SCRUB_RULE_NAMES,
  type TextScrubber,
  type ScrubberPresetOptions,
  type TextScrubberOptions,
} from './text-scrubber.js';
