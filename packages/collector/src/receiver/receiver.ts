import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countRecords } from '../otlp/records.js';
import type { OtlpData, Signal } from '../otlp/types.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { Processor } from '../pipeline/types.js';
import { SpoolWriterExporter } from '../exporters/spool-writer-exporter.js';
import {
  decodeRequest,
  encodeResponse,
  encodeStatus,
  REJECTED_FIELD,
  type PartialSuccess,
} from '../protobuf/codec.js';
import {
  createSpoolWriter,
  normalizeOtlpItems,
  parseOtlpJson,
  type ItemsResult,
  type SpoolWriterLike,
} from '../spool/spool-api.js';
import { BadEncodingError, BodyTooLargeError, readBody } from './read-body.js';
import { scanJson } from './json-scan.js';
import { DEFAULT_REQUEST_LIMITS, RequestLimitError } from './request-limits.js';
import { createRequestGuard, sendGuardVerdict, type RequestGuard } from './request-guard.js';

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

export interface ReceiverStats {
  requests: number;
  accepted: Record<Signal, number>;
  rejectedRecords: number;
  errors: Record<number, number>;
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

const PATHS: Record<string, Signal> = {
  '/v1/traces': 'traces',
  '/v1/metrics': 'metrics',
  '/v1/logs': 'logs',
};

type Format = 'json' | 'protobuf';

/** gRPC code in the google.rpc.Status body for an HTTP status (OTLP/HTTP spec mapping). */
function grpcCode(status: number): number {
  switch (status) {
    case 400:
    case 415:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 5; // NOT_FOUND
    case 405:
      return 12; // UNIMPLEMENTED
    case 413:
      return 8; // RESOURCE_EXHAUSTED
    case 503:
      return 14; // UNAVAILABLE
    default:
      return 13; // INTERNAL
  }
}

function sendStatus(
  res: ServerResponse,
  status: number,
  format: Format,
  message: string,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const body =
    format === 'protobuf'
      ? Buffer.from(encodeStatus({ code: grpcCode(status), message }))
      : Buffer.from(JSON.stringify({ code: grpcCode(status), message }));
  res.writeHead(status, {
    'Content-Type': format === 'protobuf' ? 'application/x-protobuf' : 'application/json',
    'Content-Length': body.length,
    ...extraHeaders,
  });
  res.end(body);
}

function sendSuccess(
  res: ServerResponse,
  signal: Signal,
  format: Format,
  partial?: PartialSuccess,
): void {
  let body: Buffer;
  if (format === 'protobuf') {
    body = Buffer.from(encodeResponse(signal, partial));
  } else {
    body = Buffer.from(
      JSON.stringify(
        partial
          ? {
              partialSuccess: {
                [REJECTED_FIELD[signal]]: String(partial.rejected),
                errorMessage: partial.errorMessage,
              },
            }
          : {},
      ),
    );
  }
  res.writeHead(200, {
    'Content-Type': format === 'protobuf' ? 'application/x-protobuf' : 'application/json',
    'Content-Length': body.length,
  });
  res.end(body);
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** An error is a 400 unless `status` says 413 (over a per-request cap: too large in content). */
type Checked =
  { data: OtlpData; rejected: number; reason?: string } | { error: string; status?: 413 };

/** A cap refusal from a pre-scan: counts are 413, nesting is an invalid request (400). */
function limitRefusal(err: RequestLimitError): Checked {
  return err.status === 413 ? { error: err.message, status: 413 } : { error: err.message };
}

/**
 * A request is validated item by item (the spool reader's rule): invalid spans, data points or
 * log records are dropped and reported as partial_success, the valid ones are kept; a request
 * with nothing valid is a 400.
 */
function itemsChecked(result: ItemsResult): Checked {
  if (!result.ok) return { error: result.reason };
  return result.dropped
    ? { data: result.data, rejected: result.dropped.count, reason: result.dropped.reason }
    : { data: result.data, rejected: 0 };
}

/**
 * JSON bodies are pre-scanned (token counts and depth against the per-request caps, before
 * JSON.parse builds anything), then go through the shared parser (exact for 64-bit integers
 * given as numbers).
 */
function checkJson(signal: Signal, body: Buffer): Checked {
  try {
    scanJson(signal, body, DEFAULT_REQUEST_LIMITS);
  } catch (err) {
    if (err instanceof RequestLimitError) return limitRefusal(err);
    throw err;
  }
  const text = body.toString('utf8');
  const parsed = parseOtlpJson(signal, text, { dropInvalidItems: true });
  if (!parsed.ok && parsed.reason.startsWith('invalid JSON:'))
    return { error: `malformed JSON body: ${parsed.reason.slice('invalid JSON: '.length)}` };
  return itemsChecked(parsed);
}

/**
 * Protobuf bodies are decoded with the official definitions (after decodeRequest's wire
 * pre-scan against the same caps as JSON), then normalised.
 */
function checkProtobuf(signal: Signal, body: Buffer): Checked {
  let value: unknown;
  try {
    value = decodeRequest(signal, body, DEFAULT_REQUEST_LIMITS);
  } catch (err) {
    if (err instanceof RequestLimitError) return limitRefusal(err);
    return { error: `malformed protobuf body: ${(err as Error).message}` };
  }
  return itemsChecked(normalizeOtlpItems(signal, value));
}

/**
 * The OTLP/HTTP receiver behind `spool serve`: `/v1/traces`, `/v1/metrics`, `/v1/logs` with
 * JSON or protobuf bodies, gzip or deflate, written into the spool through the pipeline
 * (processors → spool-writer exporter). Every failure is an HTTP answer, never a crash.
 */
export function createOtlpReceiver(options: OtlpReceiverOptions): OtlpReceiver {
  if (!options.writer && !options.dir)
    throw new TypeError('createOtlpReceiver needs dir or writer');
  const ownsWriter = !options.writer;
  const writer = options.writer ?? createSpoolWriter(options.dir as string);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const pipeline = new Pipeline({
    processors: options.processors ?? [],
    exporter: new SpoolWriterExporter(writer),
    maxBatchBytes: 0,
  });
  const guard =
    options.guard ??
    createRequestGuard({
      bindHost: options.host ?? '127.0.0.1',
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.allowHosts ? { allowHosts: options.allowHosts } : {}),
      ...(options.insecureNoToken ? { insecureNoToken: true } : {}),
    });
  const stats: ReceiverStats = {
    requests: 0,
    accepted: { traces: 0, metrics: 0, logs: 0 },
    rejectedRecords: 0,
    errors: {},
  };

  const fail = (
    res: ServerResponse,
    status: number,
    format: Format,
    message: string,
    headers?: Record<string, string>,
  ): void => {
    stats.errors[status] = (stats.errors[status] ?? 0) + 1;
    sendStatus(res, status, format, message, headers);
  };

  /**
   * Every request, on every path, passes the guard first: an OTLP path answers a refusal as an
   * OTLP Status in the request's format, any other path as a small JSON error (or the login
   * redirect). The body of a refused request is never read.
   */
  const authorized = (req: IncomingMessage, res: ServerResponse, signal?: Signal): boolean => {
    const verdict = guard.check(req);
    if (verdict.kind === 'allow') return true;
    if (signal === undefined || verdict.kind === 'login') {
      stats.errors[verdict.status] = (stats.errors[verdict.status] ?? 0) + 1;
      sendGuardVerdict(req, res, verdict);
      return false;
    }
    const format: Format =
      mediaType(req.headers['content-type']) === 'application/x-protobuf' ? 'protobuf' : 'json';
    fail(res, verdict.status, format, verdict.message, { ...verdict.headers, Connection: 'close' });
    req.resume();
    return false;
  };

  async function handleExport(
    req: IncomingMessage,
    res: ServerResponse,
    signal: Signal,
  ): Promise<void> {
    stats.requests++;
    const type = mediaType(req.headers['content-type']);
    const format: Format = type === 'application/x-protobuf' ? 'protobuf' : 'json';
    if (req.method !== 'POST') {
      fail(res, 405, format, `use POST for /v1/${signal}`, { Allow: 'POST' });
      req.resume();
      return;
    }
    if (type !== 'application/json' && type !== 'application/x-protobuf') {
      fail(
        res,
        415,
        format,
        `unsupported content type "${type}": use application/json or application/x-protobuf`,
      );
      req.resume();
      return;
    }
    const encodingHeader = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    const encoding = encodingHeader === '' ? 'identity' : encodingHeader;
    if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'deflate') {
      fail(res, 415, format, `unsupported content encoding "${encoding}": use gzip or none`);
      req.resume();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > maxBodyBytes) {
      fail(res, 413, format, `request body exceeds ${maxBodyBytes} bytes`, { Connection: 'close' });
      res.on('finish', () => req.destroy());
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, encoding, maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        fail(res, 413, format, err.message, { Connection: 'close' });
        res.on('finish', () => req.destroy());
      } else if (err instanceof BadEncodingError) {
        fail(res, 400, format, err.message, { Connection: 'close' });
        res.on('finish', () => req.destroy());
      } else {
        req.destroy();
      }
      return;
    }
    const checked = format === 'protobuf' ? checkProtobuf(signal, body) : checkJson(signal, body);
    if ('error' in checked) {
      if (checked.status === 413) {
        fail(res, 413, format, `OTLP ${signal} request too large: ${checked.error}`);
        return;
      }
      const message = checked.error.startsWith('malformed')
        ? checked.error
        : `invalid OTLP ${signal} request: ${checked.error}`;
      fail(res, 400, format, message);
      return;
    }
    const records = countRecords(signal, checked.data);
    const result = await pipeline.consume({ signal, data: checked.data, records });
    if (result && result.status !== 'success') {
      fail(res, 503, format, result.message ?? 'the spool cannot take data now', {
        'Retry-After': '1',
      });
      return;
    }
    stats.accepted[signal] += records;
    stats.rejectedRecords += checked.rejected;
    sendSuccess(
      res,
      signal,
      format,
      checked.rejected > 0
        ? {
            rejected: checked.rejected,
            errorMessage: `rejected invalid entries: ${checked.reason ?? 'invalid'}`,
          }
        : undefined,
    );
  }

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
      sendStatus(res, 404, 'json', `no route for ${path}: use /v1/traces, /v1/metrics or /v1/logs`);
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
