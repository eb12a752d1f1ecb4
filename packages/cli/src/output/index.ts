export {
  EXIT_OK,
  EXIT_FAILURE,
  EXIT_USAGE,
  EXIT_NOT_CONFIRMED,
  EXIT_CODES,
  exitCodesHelp,
} from './exit-codes.js';
export { CliError } from './errors.js';
export {
  DIR_HELP,
  SERVICE_HELP,
  SERVICE_FILTER_HELP,
  ALLOW_EMPTY_HELP,
  YES_HELP,
  examples,
  SIGNAL_NAMES,
  DEFAULT_MAX_REQUEST_BYTES,
  DEFAULT_MAX_LINE_BYTES,
  TOKEN_ENV,
  EXPORT_FORMATS,
  collectOption,
} from './help.js';
export {
  colorDecision,
  colors,
  setNoColorFlag,
  useColor,
  type Colors,
  type ColorInputs,
} from './color.js';
export { displayWidth, ellipsize, oneLine, progressAllowed, terminalWidth } from './terminal.js';
export { renderTable, fitColumns, type Column } from './table.js';
export {
  startReadProgress,
  withReadProgress,
  type ReadProgress,
  type ReadPosition,
} from './progress.js';
export { confirmDestructive } from './confirm.js';
export {
  type CommonOptions,
  spoolDirFrom,
  printJson,
  withSchemaVersion,
  JSON_SCHEMA_VERSION,
} from './context.js';
