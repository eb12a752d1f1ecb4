// The log query engine: `spool logs` and the web dashboard's logs view run the same queries
// through it. Imported by module path (src/logs/index.js), not part of the package root.
export {
  queryLogs,
  compileLogQuery,
  compileRegex,
  entryTimeMs,
  type CompiledLogQuery,
  type LogQueryResult,
} from './query.js';
export { parseLogql, unquote, LOGQL_SUBSET_HELP } from './logql.js';
export {
  SEVERITY_LEVELS,
  effectiveSeverity,
  levelFloor,
  levelOfNumber,
  levelOfText,
  parseSeverityThreshold,
  type SeverityLevel,
} from './severity.js';
export { bodyText, jsonBodyFields, labelName, plainValue, valueText } from './values.js';
export {
  LogQueryError,
  type LabelMatcher,
  type LineFilter,
  type LineFilterOp,
  type LogEntry,
  type LogQuery,
  type LogqlQuery,
  type MatchOp,
  type PipelineStage,
} from './types.js';
