import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestGuard } from '@otelspool/collector';
import { createDashboardHandler, type DashboardHandlerOptions } from './dashboard-handler.js';
import { withToken } from './exposure.js';

export interface DashboardServerOptions extends DashboardHandlerOptions {
  dir: string;
  host?: string;
  port?: number;
  /** Guards every request (see the collector's request guard); ignored when `guard` is given. */
  token?: string;
  /** Extra Host names to answer (`name` or `name:port`). */
  allowHosts?: readonly string[];
  /** Answer IP-literal Hosts on a non-loopback bind without a token. */
  insecureNoToken?: boolean;
}

export interface DashboardServer {
  /** The address to open, e.g. http://127.0.0.1:43127/ */
  url: string;
  /** `url` with `?token=` when a token is set: what the user opens once (it sets the cookie). */
  openUrl: string;
  server: Server;
  /** Ends live-update streams and closes the listener. */
  close(): Promise<void>;
}

/** Listens with the dashboard handler alone (what `spool dashboard` runs). */
export async function startDashboardServer(
  options: DashboardServerOptions,
): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const guard =
    options.guard ??
    createRequestGuard({
      bindHost: host,
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.allowHosts ? { allowHosts: options.allowHosts } : {}),
      ...(options.insecureNoToken === true ? { insecureNoToken: true } : {}),
    });
  const handler = createDashboardHandler(options.dir, { ...options, guard });
  const server = createServer(handler);
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  // A wildcard bind is reachable on loopback; that is the address worth printing.
  const shown =
    address.address === '0.0.0.0'
      ? '127.0.0.1'
      : address.address === '::'
        ? '::1'
        : address.address;
  const urlHost = shown.includes(':') ? `[${shown}]` : shown;
  const url = `http://${urlHost}:${address.port}/`;
  return {
    url,
    openUrl: withToken(url, options.token),
    server,
    close: () =>
      new Promise<void>((resolve) => {
        handler.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
