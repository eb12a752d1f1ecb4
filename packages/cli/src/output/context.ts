import { resolveSpoolDir } from '@otelspool/exporter-jsonl';

/** Options every read command accepts (DESIGN.md: `--dir` and `--json`). */
export interface CommonOptions {
  dir?: string;
  json?: boolean;
  service?: string;
}

/** Exit codes (clig.dev): 0 ok, 1 failure, 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The spool directory a command works on: --dir, else $SPOOL_DIR, else the OS data dir. */
export function spoolDirFrom(options: CommonOptions): string {
  return resolveSpoolDir({ dir: options.dir, serviceName: options.service });
}

/**
 * Colour only on a TTY and never with NO_COLOR (https://no-color.org) or --json.
 * picocolors checks NO_COLOR itself; this also covers non-TTY stdout.
 */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** Machine output goes to stdout as one JSON document. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** A failure the user can act on: message on stderr, exit code set, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
