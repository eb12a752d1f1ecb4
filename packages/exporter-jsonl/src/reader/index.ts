export { readSpool } from './read-spool.js';
export { listSegments } from './list-segments.js';
export {
  MAX_ANY_VALUE_DEPTH,
  normalizeOtlp,
  normalizeOtlpItems,
  OtlpShapeError,
  parseOtlpJson,
  SIGNAL_FIELD,
  type DroppedItems,
  type ParseOtlpOptions,
  type ParseOtlpResult,
} from './normalize/index.js';
export { QUARANTINE_MAX_LINES_PER_SEGMENT, QUARANTINE_RAW_LIMIT } from './quarantine.js';
export { DEFAULT_MAX_LINE_BYTES } from './types.js';
export type { MalformedEntry, ReadSpoolOptions, SegmentInfo, SpoolRecord } from './types.js';
export { LineSplitter, type LineSink } from './line-splitter.js';
export type { BadLine } from './quarantine.js';
