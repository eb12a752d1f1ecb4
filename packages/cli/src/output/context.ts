import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  listServiceSpools,
  locateSpoolDir,
  serviceSpoolDir,
  SIGNALS,
  spoolRoot,
  SpoolLocationError,
  type SpoolLocation,
} from '@otelspool/exporter-jsonl';
import {
  CRASH_REPORT_NAME,
  crashesDir,
  errorCode,
  signalDir,
} from '@otelspool/exporter-jsonl/internal';
import { CliError } from './errors.js';
import { EXIT_USAGE } from './exit-codes.js';

/** Options every command that works on a spool accepts (TELEMETRY_GUIDE.md, "Reading the spool offline": `--dir`, `--service`, `--json`). */
export interface CommonOptions {
  dir?: string;
  json?: boolean;
  service?: string;
  /** Read commands: a missing or empty spool is not an error (warned on stderr). */
  allowEmpty?: boolean;
}

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
    const code = errorCode(err);
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

/** Any segment or crash report. A missing signal dir is fine; an unreadable one throws. */
function hasSpoolData(dir: string): boolean {
  readdirSync(dir); // unreadable spool dir: EACCES here, not "empty"
  const look = (folder: string, pattern: RegExp): boolean => {
    try {
      return readdirSync(folder).some((name) => pattern.test(name));
    } catch (err) {
      const code = errorCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw err;
    }
  };
  return (
    SIGNALS.some((signal) => look(signalDir(dir, signal), SEGMENT_FILE)) ||
    look(crashesDir(dir), CRASH_REPORT_NAME)
  );
}

/**
 * The `schemaVersion` of every `--json` output: an integer, 1 while the shapes only grow
 * (fields are added, never renamed or removed). Outputs that have their own version (the crash
 * report file format) keep theirs.
 */
export const JSON_SCHEMA_VERSION = 1;

/**
 * Machine output goes to stdout as one JSON document, `schemaVersion` first. An object that
 * carries its own `schemaVersion` keeps it.
 */
export function printJson(value: object): void {
  if (Array.isArray(value))
    throw new TypeError('printJson: --json output is an object, not an array');
  process.stdout.write(JSON.stringify(withSchemaVersion(value), null, 2) + '\n');
}

export function withSchemaVersion<T extends object>(value: T): { schemaVersion: number } & T {
  return { schemaVersion: JSON_SCHEMA_VERSION, ...value };
}
