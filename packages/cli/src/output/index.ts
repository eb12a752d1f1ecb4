export {
  type CommonOptions,
  EXIT_OK,
  EXIT_FAILURE,
  EXIT_USAGE,
  spoolDirFrom,
  DIR_HELP,
  SERVICE_HELP,
  SERVICE_FILTER_HELP,
  ALLOW_EMPTY_HELP,
  useColor,
  printJson,
  CliError,
} from './context.js';
