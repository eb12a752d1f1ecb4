export { normalizeOtlp, SIGNAL_FIELD } from './normalize-otlp.js';
export {
  normalizeOtlpItems,
  parseOtlpJson,
  type DroppedItems,
  type ParseOtlpOptions,
  type ParseOtlpResult,
} from './parse-otlp-json.js';
export { OtlpShapeError } from './shape-error.js';
export { MAX_ANY_VALUE_DEPTH } from './common.js';
