// `@otelspool/exporter-jsonl/internal`: what the other @otelspool packages share and users do
// not need — the spool layout, the fs and state-file helpers, the privacy rules, the crash
// names, segment scanning. Like `@opentelemetry/otlp-exporter-base`'s internal entry points it
// carries no compatibility promise: its names may change in any release. Users import from the
// package root (index.ts).

export {
  consentPath,
  compactIsoTime,
  CRASH_REPORT_NAME,
  crashesDir,
  crashReportFileName,
  cursorPath,
  deadLetterDir,
  importDir,
  importedStatePath,
  indexDbPath,
  installIdPath,
  lastSessionPath,
  ledgerPath,
  metricsSnapshotPath,
  quarantineDir,
  RECORDED_ENTRIES,
  sessionDir,
  signalDir,
  SPOOL_FILES,
  SPOOL_FOLDERS,
  SPOOL_MARKERS,
  syncDir,
  syncLockPath,
} from './layout/spool-layout.js';
export {
  cursorKey,
  listCursors,
  MAX_CURSOR_BYTES,
  parseCursor,
  readCursor,
  serializeCursor,
  type CursorFile,
} from './layout/sync-cursor.js';
export {
  parseSegmentName,
  segmentFileName,
  type ParsedSegmentName,
} from './layout/segment-name.js';
export {
  liveSegmentPaths,
  scanSegments,
  shippedSegmentTest,
  type ScannedSegment,
} from './writer/spool-usage.js';
export { LineSplitter, type LineSink } from './reader/line-splitter.js';
export { MAX_ANY_VALUE_DEPTH } from './reader/normalize/common.js';
export { SIGNAL_FIELD } from './reader/normalize/normalize-otlp.js';
export {
  QUARANTINE_MAX_LINES_PER_SEGMENT,
  QUARANTINE_RAW_LIMIT,
  type BadLine,
} from './reader/quarantine.js';
export {
  ensureDir,
  ensureDirSync,
  ensureSpoolDir,
  ensureSpoolDirSync,
  OWNER_DIR_MODE,
} from './fs/ensure-dir.js';
export {
  atomicTempPath,
  fsyncDirSync,
  OWNER_FILE_MODE,
  WRITE_NOFOLLOW_FLAGS,
  writeFileAtomic,
  writeFileAtomicSync,
  type WriteFileAtomicOptions,
} from './fs/atomic-write.js';
export {
  checkSpoolDirSync,
  currentUid,
  UNSAFE_PATH_CODE,
  unsafeDirReason,
  unsafeParentReason,
  warnUnsafePathOnce,
} from './fs/safe-dir.js';
export {
  openStateFileSync,
  READ_NOFOLLOW_FLAGS,
  readJsonStateFileSync,
  readStateFileSync,
  type ReadStateFileOptions,
  type StateFileOpen,
  type StateFileOptions,
  type StateFileRead,
  type StateFileRefusal,
} from './fs/state-file.js';
export {
  APP_CRASH_EVENT_NAME,
  CRASH_ATTRIBUTE_PREFIXES,
  CRASH_ATTRIBUTES,
  CRASH_LOG_SEVERITY,
  CRASH_SPAN_NAME,
  isCrashAttributeKey,
  isCrashEventName,
  OTELSPOOL_ATTRIBUTES,
} from './semconv/crash.js';
export { applyRules, type ScrubRule } from './privacy/rule.js';
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
} from './privacy/key-rules.js';
export {
  ENV_KEY_WORDS,
  isEnvKey,
  isSecretKey,
  SECRET_KEY_PHRASES,
  SECRET_KEY_QUALIFIERS,
  SECRET_KEY_SUFFIXES,
  SECRET_KEY_WORDS,
  splitKeyWords,
} from './privacy/key-words.js';
export {
  ENV_SECRET_EXCEPTIONS,
  MIN_ENV_SECRET_LENGTH,
  replaceEnvSecrets,
  secretEnvValues,
} from './privacy/env-secrets.js';
export {
  currentHomeDir,
  currentUserName,
  GENERIC_USER_NAMES,
  HOME_PATH_RULES,
  homeLiteralRule,
  userNameRule,
} from './privacy/home-rules.js';
export { PII_SHAPE_RULE_NAMES, PII_SHAPE_RULES } from './privacy/pii-shapes.js';
export { SECRET_SHAPE_RULE_NAMES, SECRET_SHAPE_RULES } from './privacy/secret-shapes.js';
export {
  createCaptureScrubber,
  createSyncScrubber,
  createTextScrubber,
  TEXT_SCRUB_RULE_NAMES,
  type ScrubberPresetOptions,
  type TextScrubber,
  type TextScrubberOptions,
} from './privacy/text-scrubber.js';
export { describeError, errorCode } from './fs/error-code.js';
export { processIsAlive } from './fs/process-alive.js';
export {
  MAX_METRICS_SNAPSHOT_BYTES,
  readMetricsSnapshot,
  serializeMetricsSnapshot,
  type MetricsSnapshot,
  type SnapshotMetric,
  type SnapshotPoint,
} from './layout/metrics-snapshot-file.js';
export {
  CONSENT_FILE_VERSION,
  MAX_CONSENT_BYTES,
  parseConsentFile,
  serializeConsentFile,
  type ConsentFile,
  type ConsentSignals,
  type ConsentState,
  type ParsedConsentFile,
} from './layout/consent-file.js';
export { FifoQueue } from './util/fifo-queue.js';
