import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { createDashboardHandler, type DashboardHandlerOptions } from './dashboard-handler.js';

export interface DashboardServerOptions extends DashboardHandlerOptions {
  dir: string;
  host?: string;
  port?: number;
}

export interface DashboardServer {
  /** The address to open, e.g. http://127.0.0.1:43127/ */
  url: string;
  server: Server;
  /** Ends live-update streams and closes the listener. */
  close(): Promise<void>;
}

/** Listens with the dashboard handler alone (what `spool dashboard` runs). */
export async function startDashboardServer(
  options: DashboardServerOptions,
): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const extraHosts = isIP(host) === 0 && host !== 'localhost' ? [host] : [];
  const handler = createDashboardHandler(options.dir, {
    ...options,
    allowedHosts: options.allowedHosts ?? extraHosts,
  });
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
  return {
    url: `http://${urlHost}:${address.port}/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        handler.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
