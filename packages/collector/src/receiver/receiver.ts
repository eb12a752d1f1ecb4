import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpoolWriter, type Signal } from '@otelspool/exporter-jsonl';
import { Pipeline } from '../pipeline/pipeline.js';
import type { Processor } from '../pipeline/types.js';
import { SpoolWriterExporter, type SpoolWriterLike } from '../exporters/spool-writer-exporter.js';
import {
  createExportHandler,
  failResponder,
  newReceiverStats,
  type FailResponder,
  type ReceiverStats,
} from './export-handler.js';
import { createRequestGuard, sendGuardVerdict, type RequestGuard } from './request-guard.js';
import { formatOf, sendStatus } from './responses.js';

export type { ReceiverStats };

/** The Collector's OTLP/HTTP default: 20 MiB after decompression. */
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
export const DEFAULT_RECEIVER_PORT = 4318;

export type FallbackHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface OtlpReceiverOptions {
  /** Spool directory (a SpoolWriter is created and owned by the receiver)... */
  dir?: string;
  /** ...or a writer shared with the caller (not shut down by close()). */
  writer?: SpoolWriterLike;
  host?: string;
  port?: number;
  /**
   * When set, every request needs it: `Authorization: Bearer <token>` (scheme in any case), or
   * on GET/HEAD the session cookie a browser gets from `?token=` (401 otherwise).
   */
  token?: string;
  /** Extra Host names answered besides loopback ones (`name` or `name:port`); see request-guard. */
  allowHosts?: readonly string[];
  /** Answer IP-literal Hosts on a non-loopback bind without a token (the operator's choice). */
  insecureNoToken?: boolean;
  /**
   * The request guard (Host allow-list, foreign-Origin refusal, token) in front of every path,
   * the fallback's included; built from host/token/allowHosts/insecureNoToken when absent.
   * Pass the same guard to a fallback that checks again (the dashboard).
   */
  guard?: RequestGuard;
  /** Largest body accepted, after decompression (413 beyond it). */
  maxBodyBytes?: number;
  /** Serves every other path (the web dashboard mounts here); 404 when absent. */
  fallback?: FallbackHandler;
  /** Processors applied to received data before it is written (e.g. tagging). */
  processors?: Processor[];
}

export interface OtlpReceiver {
  readonly server: Server;
  /** The request handler, for mounting in another server. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Starts listening; resolves with the base URL (`http://host:port`). */
  listen(): Promise<string>;
  readonly url: string | undefined;
  readonly stats: ReceiverStats;
  /** Stops accepting, ends connections, flushes (and, if owned, shuts down) the writer. */
  close(): Promise<void>;
}

/**
 * The OTLP/HTTP paths (https://opentelemetry.io/docs/specs/otlp/#otlphttp-request), also under
 * the `/otlp` prefix that Loki 3 serves (`/otlp/v1/logs`) and several vendors use, so an exporter
 * configured for such a backend (`endpoint: http://host:port/otlp`) can be pointed here as is.
 */
const PATHS: Record<string, Signal> = {
  '/v1/traces': 'traces',
  '/v1/metrics': 'metrics',
  '/v1/logs': 'logs',
  '/otlp/v1/traces': 'traces',
  '/otlp/v1/metrics': 'metrics',
  '/otlp/v1/logs': 'logs',
};

function guardOf(options: OtlpReceiverOptions): RequestGuard {
  return (
    options.guard ??
    createRequestGuard({
      bindHost: options.host ?? '127.0.0.1',
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.allowHosts ? { allowHosts: options.allowHosts } : {}),
      ...(options.insecureNoToken ? { insecureNoToken: true } : {}),
    })
  );
}

/**
 * Every request, on every path, passes the guard first: an OTLP path answers a refusal as an
 * OTLP Status in the request's format, any other path as a small JSON error (or the login
 * redirect). The body of a refused request is never read. True when the request may go on.
 */
function guardStep(
  guard: RequestGuard,
  stats: ReceiverStats,
  fail: FailResponder,
): (req: IncomingMessage, res: ServerResponse, signal?: Signal) => boolean {
  return (req, res, signal) => {
    const verdict = guard.check(req);
    if (verdict.kind === 'allow') return true;
    if (signal === undefined || verdict.kind === 'login') {
      stats.errors[verdict.status] = (stats.errors[verdict.status] ?? 0) + 1;
      sendGuardVerdict(req, res, verdict);
      return false;
    }
    fail(res, verdict.status, formatOf(req.headers['content-type']), verdict.message, {
      ...verdict.headers,
      Connection: 'close',
    });
    req.resume();
    return false;
  };
}

/**
 * The OTLP/HTTP receiver behind `spool serve`: `/v1/traces`, `/v1/metrics`, `/v1/logs` (and the
 * same under `/otlp`) with JSON or protobuf bodies, gzip or deflate, written into the spool through the pipeline
 * (processors → spool-writer exporter). Every failure is an HTTP answer, never a crash.
 * The steps: the guard (guardStep), the export request (export-handler.ts: head checks, body,
 * decoding in check-body.ts, answers in responses.ts), any other path (the fallback or 404).
 */
export function createOtlpReceiver(options: OtlpReceiverOptions): OtlpReceiver {
  if (!options.writer && !options.dir)
    throw new TypeError('createOtlpReceiver needs dir or writer');
  const ownsWriter = !options.writer;
  const writer = options.writer ?? new SpoolWriter({ dir: options.dir as string });
  const pipeline = new Pipeline({
    processors: options.processors ?? [],
    exporter: new SpoolWriterExporter(writer),
    maxBatchBytes: 0,
  });
  const stats = newReceiverStats();
  const fail = failResponder(stats);
  const authorized = guardStep(guardOf(options), stats, fail);
  const handleExport = createExportHandler({
    pipeline,
    stats,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    fail,
  });

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const signal = PATHS[path];
    if (!authorized(req, res, signal)) return;
    if (!signal) {
      if (options.fallback) {
        try {
          options.fallback(req, res);
        } catch {
          if (!res.headersSent) sendStatus(res, 500, 'json', 'internal error');
        }
        return;
      }
      stats.errors[404] = (stats.errors[404] ?? 0) + 1;
      sendStatus(
        res,
        404,
        'json',
        `no route for ${path}: use /v1/traces, /v1/metrics or /v1/logs (or the same under /otlp)`,
      );
      req.resume();
      return;
    }
    handleExport(req, res, signal).catch((err: unknown) => {
      if (!res.headersSent) fail(res, 500, 'json', `internal error: ${(err as Error).message}`);
      else res.destroy();
    });
  };

  const server = createServer({ requestTimeout: 60_000, headersTimeout: 30_000 }, handle);
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  let url: string | undefined;
  let closing: Promise<void> | undefined;

  return {
    server,
    handle,
    stats,
    get url() {
      return url;
    },
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? DEFAULT_RECEIVER_PORT, options.host ?? '127.0.0.1', () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          url = `http://${host}:${addr.port}`;
          resolve(url);
        });
      });
    },
    close() {
      closing ??= (async () => {
        if (server.listening) {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
            // Requests in flight get 2 s to finish; then their connections are cut.
            setTimeout(() => server.closeAllConnections(), 2000).unref();
          });
        }
        if (ownsWriter) await writer.shutdown();
        else await writer.flush();
      })();
      return closing;
    },
  };
}
