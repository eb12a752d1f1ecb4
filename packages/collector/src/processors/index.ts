export {
  type KeyPattern,
  type RedactionOptions,
  type Redactor,
  DEFAULT_HASH_KEYS,
  DEFAULT_DROP_KEYS,
  createRedactor,
} from './redaction.js';
export { type Scrubber, type ScrubberOptions, createScrubber, SCRUB_RULE_NAMES } from './scrub.js';
export {
  SEVERITY_FATAL,
  isCrashLog,
  isCrashSpan,
  createConsentGate,
  createRedactionProcessor,
  createTaggingProcessor,
} from './processors.js';
