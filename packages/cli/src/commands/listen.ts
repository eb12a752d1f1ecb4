import { CliError, EXIT_USAGE } from '../output/index.js';
import type { ExposureFlags } from '../web/exposure.js';

// What `spool serve` and `spool dashboard` share as long-running servers: their listening
// flags, how those are checked, and how they wait for Ctrl-C / SIGTERM.

/** `--host`, `--port` and the exposure flags (`--token`, `--allow-host`, `--insecure-no-token`). */
export interface ListenFlags extends ExposureFlags {
  port: string;
}

/** An integer flag in `min..max`, written as plain digits (exit 2 otherwise). */
export function parseIntegerOption(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < min || n > max) {
    throw new CliError(
      `--${name} must be an integer in ${min}..${max}, got "${value}"`,
      EXIT_USAGE,
    );
  }
  return n;
}

export function parsePort(value: string): number {
  return parseIntegerOption(value, 'port', 0, 65535);
}

export function listenError(host: string, port: number, err: unknown): CliError {
  return new CliError(`cannot listen on ${host}:${port}: ${(err as Error).message}`);
}

/**
 * `stopped` resolves with the first SIGINT/SIGTERM; the listeners are removed again after it.
 * Call it before printing the URL: a caller may signal as soon as it reads the URL, and a
 * signal without a listener would kill the process uncleanly.
 */
export function waitForStopSignal(): { stopped: Promise<NodeJS.Signals>; cancel: () => void } {
  let cancel = (): void => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      cancel();
      resolve(signal);
    };
    cancel = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return { stopped, cancel };
}
