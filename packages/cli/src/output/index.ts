export {
  type CommonOptions,
  EXIT_OK,
  EXIT_FAILURE,
  EXIT_USAGE,
  spoolDirFrom,
  useColor,
  printJson,
  CliError,
} from './context.js';
