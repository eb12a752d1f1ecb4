import {
  createOtlpReceiver,
  createRequestGuard,
  type FallbackHandler,
  type RequestGuard,
} from '@otelspool/collector';
import { SIGNALS } from '@otelspool/exporter-jsonl';
import { printJson, spoolDirFrom, type CommonOptions } from '../output/index.js';
import { browsableBase, exposureWarning, resolveExposure, withToken } from '../web/exposure.js';
import {
  listenError,
  parseIntegerOption,
  parsePort,
  waitForStopSignal,
  type ListenFlags,
} from './listen.js';

export interface ServeOptions extends CommonOptions, ListenFlags {
  maxBodyBytes?: string;
  dashboard: boolean;
}

/** A handler for non-OTLP paths, with an optional close() (live-update streams). */
export type ServeFallback = FallbackHandler & { close?: () => void };

export interface RegisterServeOptions {
  /**
   * Builds the handler for every non-OTLP path; default: the web dashboard. The receiver has
   * already passed each request through `guard`; a handler may check it again.
   */
  fallbackFactory?: (dir: string, guard: RequestGuard) => ServeFallback;
}

/**
 * The handler for non-OTLP paths: the caller's factory, else the web dashboard, loaded lazily
 * so the receiver still starts (without the dashboard, with a warning) if that module fails.
 */
async function createFallback(
  dir: string,
  guard: RequestGuard,
  register: RegisterServeOptions,
): Promise<ServeFallback | undefined> {
  if (register.fallbackFactory) return register.fallbackFactory(dir, guard);
  try {
    const web = await import('../web/index.js');
    return web.createDashboardHandler(dir, { guard });
  } catch (err) {
    process.stderr.write(
      `spool: warning: dashboard unavailable (${(err as Error).message}); serving OTLP only\n`,
    );
    return undefined;
  }
}

/**
 * `spool serve`: an OTLP/HTTP receiver (/v1/traces, /v1/metrics, /v1/logs; JSON or protobuf;
 * gzip) writing into the spool, with the web dashboard on every other path. Runs until
 * SIGINT/SIGTERM, then stops accepting, flushes the spool writer and exits 0.
 */
export async function serveCommand(
  options: ServeOptions,
  register: RegisterServeOptions = {},
): Promise<void> {
  const dir = spoolDirFrom(options, { createIfNone: true });
  const port = parsePort(options.port);
  const maxBodyBytes = parseIntegerOption(options.maxBodyBytes ?? '', 'max-body-bytes', 1, 2 ** 31);
  const exposure = resolveExposure(options, 'serve');
  // One guard for the OTLP paths and the dashboard alike.
  const guard = createRequestGuard({
    bindHost: options.host,
    ...(exposure.token !== undefined ? { token: exposure.token } : {}),
    allowHosts: exposure.allowHosts,
    insecureNoToken: exposure.insecureNoToken,
  });
  const fallback = options.dashboard ? await createFallback(dir, guard, register) : undefined;
  const receiver = createOtlpReceiver({
    dir,
    host: options.host,
    port,
    maxBodyBytes,
    guard,
    ...(fallback ? { fallback } : {}),
  });
  const stop = waitForStopSignal();
  let url: string;
  try {
    url = await receiver.listen();
  } catch (err) {
    stop.cancel();
    fallback?.close?.();
    await receiver.close().catch(() => undefined);
    throw listenError(options.host, port, err);
  }
  // Printed once: the token in this URL is what the browser trades for its cookie.
  const dashboardUrl = withToken(`${browsableBase(url)}/`, exposure.token);
  if (options.json)
    printJson({
      url,
      dir,
      endpoints: SIGNALS.map((s) => `${url}/v1/${s}`),
      ...(fallback ? { dashboard: dashboardUrl } : {}),
    });
  else {
    process.stdout.write(
      `OTLP/HTTP receiver for ${dir}: ${url} (POST /v1/traces, /v1/metrics, /v1/logs; also under /otlp)\n`,
    );
    if (fallback) process.stdout.write(`Dashboard: ${dashboardUrl}\n`);
  }
  const warning = exposureWarning(exposure, options.host);
  if (warning !== undefined) process.stderr.write(warning);
  const sig = await stop.stopped;
  process.stderr.write(`spool: ${sig}: flushing and stopping\n`);
  fallback?.close?.();
  await receiver.close();
  const s = receiver.stats;
  process.stderr.write(
    `spool: received ${s.accepted.traces} spans, ${s.accepted.metrics} metric points, ${s.accepted.logs} log records in ${s.requests} requests\n`,
  );
}
