import type { IncomingMessage, ServerResponse } from 'node:http';
import { send, sendError, sendJson } from './http-responses.js';
import { LiveEvents } from './live-events.js';
import { createRequestGuard, type RequestGuard } from '@otelspool/collector';
import { passesGuard } from './request-guard.js';
import { DashboardApi, HttpError } from './dashboard-api.js';
import { loadStaticAssets, type StaticAsset } from './static-assets.js';
import { SpoolWatcher, clampPollInterval } from './spool-watcher.js';

export interface DashboardHandlerOptions {
  /** How often live updates check the spool for growth; clamped to 250 ms – 10 s. Default 1 s. */
  pollIntervalMs?: number;
  /**
   * The request guard every request passes first: Host allow-list (DNS rebinding), foreign
   * Origin / Sec-Fetch-Site refused, and the token when one is set. Default: a loopback server
   * without a token. `spool serve` passes the receiver's own guard (same verdicts twice).
   */
  guard?: RequestGuard;
  /** Where the UI files live (tests); defaults to the package's web-assets/. */
  assetsDir?: string;
}

/** A node:http request listener; `close()` ends live-update streams and stops polling. */
export interface DashboardHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

/**
 * The web dashboard over one spool directory: the single-page UI at `/`, its assets under
 * `/assets/`, JSON under `/api/` and live updates at `/api/events`. Binding and listening
 * are the caller's (`spool dashboard`, or `spool serve` mounting it as its fallback).
 * Read-only: only GET and HEAD are answered. The handler never throws: every failure becomes
 * a JSON error with a status code.
 */
export function createDashboardHandler(
  dir: string,
  options: DashboardHandlerOptions = {},
): DashboardHandler {
  const assets = loadStaticAssets(options.assetsDir);
  const watcher = new SpoolWatcher(dir, clampPollInterval(options.pollIntervalMs));
  const events = new LiveEvents(watcher);
  const api = new DashboardApi(dir, watcher);
  const guard = options.guard ?? createRequestGuard();

  const handler = ((req: IncomingMessage, res: ServerResponse): void => {
    try {
      route(req, res);
    } catch (err) {
      internalError(req, res, err);
    }
  }) as DashboardHandler;

  handler.close = (): void => {
    events.closeAll();
    watcher.stop();
  };

  function route(req: IncomingMessage, res: ServerResponse): void {
    if (!passesGuard(guard, req, res)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(req, res, 405, 'method_not_allowed', 'the dashboard is read-only', {
        allow: 'GET, HEAD',
      });
      return;
    }
    const path = requestPath(req.url);
    if (path === undefined) {
      sendError(req, res, 400, 'bad_request', 'malformed request target');
      return;
    }

    if (path === '/' || path === '/index.html')
      return serveAsset(req, res, assets.get('index.html'));
    if (path.startsWith('/assets/')) {
      return serveAsset(req, res, assets.get(path.slice('/assets/'.length)));
    }
    if (path === '/api/events') return events.handle(req, res);
    if (path.startsWith('/api/')) {
      const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
      api.handle(path, url.searchParams).then(
        (body) => sendJson(req, res, 200, body),
        (err: unknown) => {
          if (err instanceof HttpError) sendError(req, res, err.status, err.code, err.message);
          else internalError(req, res, err);
        },
      );
      return;
    }
    sendError(req, res, 404, 'not_found', 'no such page');
  }

  return handler;
}

function serveAsset(
  req: IncomingMessage,
  res: ServerResponse,
  asset: StaticAsset | undefined,
): void {
  if (asset === undefined) {
    sendError(req, res, 404, 'not_found', 'no such asset');
    return;
  }
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, { etag: asset.etag, 'cache-control': 'no-cache' });
    res.end();
    return;
  }
  send(req, res, 200, asset.contentType, asset.body, {
    etag: asset.etag,
    'cache-control': 'no-cache',
  });
}

/**
 * The decoded path of the request target, or undefined when it cannot be a dashboard path.
 * Decoding is only used for matching: anything with a NUL or a backslash is refused outright.
 */
function requestPath(target: string | undefined): string | undefined {
  if (target === undefined || !target.startsWith('/') || target.length > 2048) return undefined;
  try {
    const raw = target.split('?', 1)[0] ?? '/';
    const decoded = decodeURIComponent(raw);
    if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
    return decoded;
  } catch {
    return undefined;
  }
}

function internalError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  try {
    sendError(req, res, 500, 'internal_error', message.slice(0, 500));
  } catch {
    res.destroy();
  }
}
