import { spawn } from 'node:child_process';
import { printJson, spoolDirFrom, type CommonOptions } from '../output/index.js';
import { startDashboardServer } from '../web/index.js';
import { exposureWarning, resolveExposure } from '../web/exposure.js';
import { listenError, parsePort, waitForStopSignal, type ListenFlags } from './listen.js';

export interface DashboardOptions extends CommonOptions, ListenFlags {
  open?: boolean;
}

/** `spool dashboard`: the web dashboard alone, on loopback by default, until Ctrl-C. */
export async function dashboardCommand(options: DashboardOptions): Promise<void> {
  const port = parsePort(options.port);
  const dir = spoolDirFrom(options);
  const exposure = resolveExposure(options, 'dashboard');
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
    throw listenError(options.host, port, err);
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
