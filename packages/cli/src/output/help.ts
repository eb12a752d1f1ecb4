/** Option help texts shared by every command (no imports: `spool --help` loads this). */

/** `--dir` / `--service` help texts, the same on every command. */
export const DIR_HELP =
  'spool directory (default: $SPOOL_DIR, else the --service spool, else the only spool under the otelspool root)';
export const SERVICE_HELP =
  'the service whose spool to use: <otelspool root>/<name> (default: $OTEL_SERVICE_NAME)';
export const SERVICE_FILTER_HELP =
  'the service: its spool <otelspool root>/<name>; with --dir or $SPOOL_DIR, only its records';
export const ALLOW_EMPTY_HELP =
  'treat a missing or empty spool as empty data instead of failing (exit 1)';
export const SINCE_HELP = 'only data newer than a duration (30m, 24h) or an ISO date';
export const YES_HELP = 'do not ask for confirmation (needed when stdin is not a terminal)';

/** The `Examples:` block shown after a command's options in `--help` (comment above each). */
export function examples(
  lines: ReadonlyArray<readonly [command: string, comment?: string]>,
): string {
  return (
    '\nExamples:\n' +
    lines.map(([cmd, comment]) => (comment ? `  # ${comment}\n` : '') + `  $ ${cmd}`).join('\n') +
    '\n'
  );
}

/**
 * Values the option definitions show, copied here so `spool --help` does not load the packages
 * that own them (test/commands/cli-habits.test.ts checks that they still agree).
 */
export const SIGNAL_NAMES = ['traces', 'metrics', 'logs'] as const;
/** @otelspool/collector DEFAULT_MAX_REQUEST_BYTES */
export const DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** @otelspool/exporter-jsonl DEFAULT_MAX_LINE_BYTES */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
/** The environment variable `serve` and `dashboard` read their token from. */
export const TOKEN_ENV = 'SPOOL_TOKEN';
/** `spool export --format` values. */
export const EXPORT_FORMATS = ['chrome-trace', 'otlp-json'] as const;

/** Commander collector for repeatable options. */
export function collectOption(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
