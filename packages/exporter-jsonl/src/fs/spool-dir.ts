import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SPOOL_MARKERS } from '../layout/spool-layout.js';

/**
 * The one spool-location rule (TELEMETRY_GUIDE.md, "Every file in the spool"), shared by the
 * SDK and every CLI command:
 *
 * 1. an explicit directory (`dir` option, `--dir`);
 * 2. else `$SPOOL_DIR`;
 * 3. else, given a service name (`serviceName` option, `--service`, `$OTEL_SERVICE_NAME`), that
 *    service's directory under the otelspool root: the OS user-data directory ($XDG_DATA_HOME
 *    or ~/.local/share on Linux, ~/Library/Application Support on macOS, %LOCALAPPDATA% on
 *    Windows) + `otelspool/<service.name>`;
 * 4. else (readers only, {@link locateSpoolDir}) the one service spool found under the root.
 */
export function resolveSpoolDir(
  opts: { dir?: string; serviceName?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): string {
  return (
    explicitSpoolDir(opts.dir, opts.serviceName ?? nonEmpty(env.OTEL_SERVICE_NAME), env)?.dir ??
    serviceSpoolDir('unknown_service')
  );
}

/** `<user-data dir>/otelspool`: where every service's spool lives by default. */
export function spoolRoot(): string {
  return join(userDataDir(), 'otelspool');
}

/** The default spool of one service: `<otelspool root>/<sanitized service.name>`. */
export function serviceSpoolDir(serviceName: string): string {
  return join(spoolRoot(), sanitize(serviceName));
}

/** How {@link locateSpoolDir} found the directory. */
export type SpoolDirSource = 'dir' | 'env' | 'service' | 'discovered';

export interface SpoolLocation {
  dir: string;
  source: SpoolDirSource;
}

/** No spool, or more than one, under the otelspool root and nothing said which. */
export class SpoolLocationError extends Error {
  constructor(
    readonly kind: 'none' | 'ambiguous',
    readonly root: string,
    /** Service directory names found under the root. */
    readonly services: string[],
  ) {
    super(
      kind === 'none'
        ? `no spool found under ${root}`
        : `several spools under ${root}: ${services.join(', ')}`,
    );
    this.name = 'SpoolLocationError';
  }
}

/**
 * The spool a command works on: {@link resolveSpoolDir}'s rule, and when neither a directory,
 * `$SPOOL_DIR` nor a service name is given, the only service spool under the otelspool root.
 * Throws {@link SpoolLocationError} when there are none or several.
 */
export function locateSpoolDir(
  opts: { dir?: string; service?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): SpoolLocation {
  const explicit = explicitSpoolDir(opts.dir, opts.service ?? nonEmpty(env.OTEL_SERVICE_NAME), env);
  if (explicit) return explicit;
  const root = spoolRoot();
  const services = listServiceSpools(root);
  if (services.length === 1) return { dir: join(root, services[0]!), source: 'discovered' };
  throw new SpoolLocationError(services.length === 0 ? 'none' : 'ambiguous', root, services);
}

/** Names of the directories under `root` that look like spools (hold any spool entry). */
export function listServiceSpools(root: string = spoolRoot()): string[] {
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
  return names.filter((name) => SPOOL_MARKERS.some((e) => exists(join(root, name, e)))).sort();
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function explicitSpoolDir(
  dir: string | undefined,
  serviceName: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SpoolLocation | undefined {
  if (dir) return { dir, source: 'dir' };
  const fromEnv = nonEmpty(env.SPOOL_DIR);
  if (fromEnv) return { dir: fromEnv, source: 'env' };
  if (serviceName) return { dir: serviceSpoolDir(serviceName), source: 'service' };
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

function userDataDir(): string {
  if (process.platform === 'win32') {
    return process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local');
  }
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support');
  return process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
}

/** Service names become one path component: no separators, no dot-dot. */
function sanitize(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  return cleaned.length > 0 ? cleaned.slice(0, 128) : 'unknown_service';
}
