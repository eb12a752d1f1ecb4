import {
  allowHostProblem,
  isLoopbackBindHost,
  tokenProblem,
  TOKEN_QUERY_PARAM,
} from '@otelspool/collector';
import { CliError, EXIT_USAGE, TOKEN_ENV } from '../output/index.js';

/** The flags `spool serve` and `spool dashboard` share about who may reach them. */
export interface ExposureFlags {
  host: string;
  token?: string;
  allowHost?: string[];
  insecureNoToken?: boolean;
}

/** What the request guard is built from, once the flags are checked. */
export interface Exposure {
  token?: string;
  allowHosts: string[];
  insecureNoToken: boolean;
  loopback: boolean;
}

/** The environment variable read when --token is absent (argv is visible to every local user). */
export { TOKEN_ENV, collectOption } from '../output/help.js';

/**
 * Checks the exposure flags. A non-loopback bind without a token is refused (exit 2) unless
 * --insecure-no-token says the operator accepts it: such a server shows every trace and
 * unredacted crash stack, and takes writes, from anyone who can reach it.
 */
export function resolveExposure(
  flags: ExposureFlags,
  command: 'serve' | 'dashboard',
  env: NodeJS.ProcessEnv = process.env,
): Exposure {
  const fromEnv = env[TOKEN_ENV];
  const token = flags.token ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
  if (token !== undefined) {
    const problem = tokenProblem(token);
    if (problem !== undefined) {
      const source = flags.token !== undefined ? '--token' : TOKEN_ENV;
      throw new CliError(`${source}: ${problem}`, EXIT_USAGE);
    }
  }
  const allowHosts = flags.allowHost ?? [];
  for (const entry of allowHosts) {
    const problem = allowHostProblem(entry);
    if (problem !== undefined) throw new CliError(`--allow-host: ${problem}`, EXIT_USAGE);
  }
  const loopback = isLoopbackBindHost(flags.host);
  const insecureNoToken = flags.insecureNoToken === true;
  if (!loopback && token === undefined && !insecureNoToken) {
    const exposes =
      command === 'serve'
        ? 'read every trace and unredacted crash stack in the dashboard and write into the spool'
        : 'read every trace and unredacted crash stack in the spool';
    throw new CliError(
      `refusing to listen on ${flags.host} without a token: anyone who can reach it could ${exposes}. ` +
        `Pass --token <secret> (or set ${TOKEN_ENV}), or --insecure-no-token to accept that.`,
      EXIT_USAGE,
    );
  }
  return {
    ...(token !== undefined ? { token } : {}),
    allowHosts,
    insecureNoToken,
    loopback,
  };
}

/** The loud warning for --insecure-no-token on a non-loopback address, or undefined. */
export function exposureWarning(exposure: Exposure, host: string): string | undefined {
  if (exposure.loopback || exposure.token !== undefined) return undefined;
  return (
    `spool: WARNING: listening on ${host} with --insecure-no-token: anyone who can reach this ` +
    'address can read every trace and unredacted crash stack, and write into the spool\n'
  );
}

/** A URL a browser can open: a wildcard bind is reachable on loopback, so that is shown. */
export function browsableBase(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

/** `base` (ending in `/`) with the one-time `?token=` the dashboard trades for a cookie. */
export function withToken(base: string, token: string | undefined): string {
  return token === undefined ? base : `${base}?${TOKEN_QUERY_PARAM}=${encodeURIComponent(token)}`;
}
