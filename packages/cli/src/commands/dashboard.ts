import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import {
  CliError,
  EXIT_USAGE,
  printJson,
  spoolDirFrom,
  type CommonOptions,
} from '../output/index.js';
import { startDashboardServer } from '../web/index.js';

interface DashboardOptions extends CommonOptions {
  host: string;
  port: string;
  open?: boolean;
}

/** `spool dashboard`: the web dashboard alone, on loopback by default, until Ctrl-C. */
export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('serve the web dashboard for the spool and print its URL')
    .option('--dir <dir>', 'spool directory (default: $SPOOL_DIR or the OS data dir)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '0')
    .option('--open', 'open the dashboard in the default browser')
    .option('--json', 'print {"url", "dir"} as JSON once listening')
    .action(async (options: DashboardOptions) => {
      const port = parsePort(options.port);
      const dir = spoolDirFrom(options);
      // Listen for Ctrl-C / SIGTERM before the URL is printed: a caller may signal as soon as
      // it reads the URL, and a signal without a listener would kill the process uncleanly.
      const stop = waitForStopSignal();
      let dashboard;
      try {
        dashboard = await startDashboardServer({ dir, host: options.host, port });
      } catch (err) {
        stop.cancel();
        throw new CliError(`cannot listen on ${options.host}:${port}: ${(err as Error).message}`);
      }
      if (options.json === true) printJson({ url: dashboard.url, dir });
      else process.stdout.write(`Dashboard for ${dir}: ${dashboard.url}\n`);
      if (!isLoopback(options.host)) {
        process.stderr.write(
          `spool: warning: listening on ${options.host}; anyone who can reach it can read the spool\n`,
        );
      }
      if (options.open === true) openBrowser(dashboard.url);
      await stop.stopped;
      await dashboard.close();
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port > 65535) {
    throw new CliError(`--port must be an integer from 0 to 65535, got "${value}"`, EXIT_USAGE);
  }
  return port;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** `stopped` resolves on the first SIGINT/SIGTERM; the listeners are removed again after it. */
function waitForStopSignal(): { stopped: Promise<void>; cancel: () => void } {
  let cancel = (): void => {};
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      cancel();
      resolve();
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

/** Best effort, detached: a missing opener only means the user opens the printed URL. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () =>
      process.stderr.write(`spool: could not open a browser; visit ${url}\n`),
    );
    child.unref();
  } catch {
    process.stderr.write(`spool: could not open a browser; visit ${url}\n`);
  }
}
