import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The spool directory: explicit option, else $SPOOL_DIR, else the OS user-data directory for
 * the service ($XDG_DATA_HOME or ~/.local/share on Linux, ~/Library/Application Support on
 * macOS, %LOCALAPPDATA% on Windows), under otelspool/<service.name>.
 */
export function resolveSpoolDir(opts: { dir?: string; serviceName?: string } = {}): string {
  if (opts.dir) return opts.dir;
  const env = process.env.SPOOL_DIR;
  if (env) return env;
  const service = sanitize(opts.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'unknown_service');
  return join(userDataDir(), 'otelspool', service);
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
