import { spawn } from 'node:child_process';
import {
  CliError,
  EXIT_USAGE,
  printJson,
  spoolDirFrom,
  type CommonOptions,
} from '../output/index.js';
import { startDashboardServer } from '../web/index.js';
import { exposureWarning, resolveExposure } from '../web/exposure.js';

export interface DashboardOptions extends CommonOptions {
  host: string;
  port: string;
  open?: boolean;
  token?: string;
  allowHost?: string[];
  insecureNoToken?: boolean;
}

/** `spool dashboard`: the web dashboard alone, on loopback by default, until Ctrl-C. */
export async function dashboardCommand(options: DashboardOptions): Promise<void> {
  const port = parsePort(options.port);
  const dir = spoolDirFrom(options);
  const exposure = resolveExposure(options, 'dashboard');
  // Listen for Ctrl-C / SIGTERM before the URL is printed: a caller may signal as soon as
  // it reads the URL, and a signal without a listener would kill the process uncleanly.
  const stop = waitForStopSignal();
  let dashboard;
  try {
    dashboard = await startDashboardServer({
      dir,
      host: options.host,
      port,
      ...(exposure.token !== undefined ? { token: exposure.token } : {}),
      allowHosts: exposure.allowHosts,
      insecureNoToken: exposure.insecureNoToken,
    });
  } catch (err) {
    stop.cancel();
    throw new CliError(`cannot listen on ${options.host}:${port}: ${(err as Error).message}`);
  }
  // Printed once: with a token, this URL is what the browser trades for its cookie.
  if (options.json === true)
    printJson({
      url: dashboard.url,
      dir,
      ...(exposure.token !== undefined ? { open: dashboard.openUrl } : {}),
    });
  else process.stdout.write(`Dashboard for ${dir}: ${dashboard.openUrl}\n`);
  const warning = exposureWarning(exposure, options.host);
  if (warning !== undefined) process.stderr.write(warning);
  if (options.open === true) openBrowser(dashboard.openUrl);
  await stop.stopped;
  await dashboard.close();
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port > 65535) {
    throw new CliError(`--port must be an integer from 0 to 65535, got "${value}"`, EXIT_USAGE);
  }
  return port;
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
