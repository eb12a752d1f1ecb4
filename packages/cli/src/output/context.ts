import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  listServiceSpools,
  locateSpoolDir,
  serviceSpoolDir,
  spoolRoot,
  SpoolLocationError,
  type SpoolLocation,
} from '@otelspool/exporter-jsonl';

/** Options every command that works on a spool accepts (TELEMETRY_GUIDE.md, "Reading the spool offline": `--dir`, `--service`, `--json`). */
export interface CommonOptions {
  dir?: string;
  json?: boolean;
  service?: string;
  /** Read commands: a missing or empty spool is not an error (warned on stderr). */
  allowEmpty?: boolean;
}

/** Exit codes (clig.dev): 0 ok, 1 failure, 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** `--dir` / `--service` help texts, the same on every command. */
export const DIR_HELP =
  'spool directory (default: $SPOOL_DIR, else the --service spool, else the only spool under the otelspool root)';
export const SERVICE_HELP =
  'the service whose spool to use: <otelspool root>/<name> (default: $OTEL_SERVICE_NAME)';
export const SERVICE_FILTER_HELP =
  'the service: its spool <otelspool root>/<name>; with --dir or $SPOOL_DIR, only its records';
export const ALLOW_EMPTY_HELP =
  'treat a missing or empty spool as empty data instead of failing (exit 1)';

/**
 * The spool directory a command works on, by the rule the SDK uses too (locateSpoolDir):
 * --dir, else $SPOOL_DIR, else --service / $OTEL_SERVICE_NAME under the otelspool root, else the
 * only service spool there (none: exit 1 with a hint; several: exit 2 naming them). Says on
 * stderr which directory it used. `read: true` (report, crashes, check, …) also requires the
 * directory to exist and hold spool data, unless --allow-empty; `createIfNone` (serve) starts
 * the default spool when none exists yet.
 */
export function spoolDirFrom(
  options: CommonOptions,
  how: { read?: boolean; createIfNone?: boolean } = {},
): string {
  let location: SpoolLocation;
  try {
    location = locateSpoolDir({ dir: options.dir, service: options.service });
  } catch (err) {
    if (!(err instanceof SpoolLocationError)) throw err;
    // A receiver (`spool serve`) is how data gets in: with no spool yet it starts one where an
    // app without a service name would write (the SDK's default), and says so.
    if (err.kind === 'none' && how.createIfNone) {
      const dir = serviceSpoolDir('unknown_service');
      process.stderr.write(`spool: no spool yet; receiving into ${dir}\n`);
      return dir;
    }
    if (err.kind === 'ambiguous') {
      throw new CliError(
        `several spools under ${err.root}: ${err.services.join(', ')}; ` +
          `say which with --service NAME (or --dir PATH)`,
        EXIT_USAGE,
      );
    }
    throw new CliError(
      `no spool found under ${err.root}\n` +
        `  hint: nothing has recorded telemetry for this user yet. Start your app with ` +
        `startTelemetry({ serviceName: 'my-app' }) (it writes to ${join(err.root, '<service.name>')}), ` +
        `run \`spool demo\`, or point at a spool with --dir PATH or --service NAME`,
    );
  }
  const dir = location.dir;
  process.stderr.write(`spool: using ${dir}\n`);
  if (how.read) checkSpoolInput(dir, location, options.allowEmpty === true);
  return dir;
}

/** Missing, non-directory, unreadable or empty input is a failure (exit 1) with a hint. */
function checkSpoolInput(dir: string, location: SpoolLocation, allowEmpty: boolean): void {
  const hint = (): string => {
    const root = spoolRoot();
    const found = listServiceSpools(root);
    const where =
      location.source === 'dir'
        ? 'check the path'
        : location.source === 'env'
          ? 'it came from $SPOOL_DIR; check that variable'
          : 'the app writes there once it calls startTelemetry() with that service name';
    return (
      `\n  hint: ${where}` +
      (found.length
        ? `; spools under ${root}: ${found.join(', ')} (pick one with --service NAME)`
        : `; no spools under ${root} yet (start your app with startTelemetry(), or run \`spool demo\`)`)
    );
  };
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (allowEmpty) {
        process.stderr.write(
          `spool: warning: ${dir} does not exist; --allow-empty reads it as empty\n`,
        );
        return;
      }
      throw new CliError(`no spool at ${dir}: the directory does not exist${hint()}`);
    }
    throw new CliError(`cannot read the spool at ${dir}: ${(err as Error).message}`);
  }
  if (!isDir) {
    throw new CliError(
      `${dir} is not a spool directory (it is a file); a spool is a directory with traces/, metrics/, logs/, crashes/${hint()}`,
    );
  }
  let data: boolean;
  try {
    data = hasSpoolData(dir);
  } catch (err) {
    throw new CliError(`cannot read the spool at ${dir}: ${(err as Error).message}`);
  }
  if (data) return;
  if (allowEmpty) {
    process.stderr.write(
      `spool: warning: ${dir} holds no spool data; --allow-empty reads it as empty\n`,
    );
    return;
  }
  throw new CliError(
    `${dir} holds no spool data (no segments under traces/, metrics/ or logs/, no crash reports)${hint()}`,
  );
}

const SEGMENT_FILE = /^[^.].*\.jsonl(\.gz)?$/;
const CRASH_FILE = /^crash_report_.*\.json$/;

/** Any segment or crash report. A missing signal dir is fine; an unreadable one throws. */
function hasSpoolData(dir: string): boolean {
  readdirSync(dir); // unreadable spool dir: EACCES here, not "empty"
  const look = (sub: string, pattern: RegExp): boolean => {
    try {
      return readdirSync(join(dir, sub)).some((name) => pattern.test(name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw err;
    }
  };
  return (
    look('traces', SEGMENT_FILE) ||
    look('metrics', SEGMENT_FILE) ||
    look('logs', SEGMENT_FILE) ||
    look('crashes', CRASH_FILE)
  );
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
