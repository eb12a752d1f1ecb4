import type { IncomingMessage, ServerResponse } from 'node:http';
import { countRecords, type Signal } from '@otelspool/exporter-jsonl';
import type { Pipeline } from '../pipeline/pipeline.js';
import { checkBody } from './check-body.js';
import { BadEncodingError, BodyTooLargeError, readBody } from './read-body.js';
import { formatOf, mediaType, sendStatus, sendSuccess, type Format } from './responses.js';

type BodyEncoding = Parameters<typeof readBody>[1];

export interface ReceiverStats {
  requests: number;
  accepted: Record<Signal, number>;
  rejectedRecords: number;
  errors: Record<number, number>;
}

export function newReceiverStats(): ReceiverStats {
  return {
    requests: 0,
    accepted: { traces: 0, metrics: 0, logs: 0 },
    rejectedRecords: 0,
    errors: {},
  };
}

/** Answers an error and counts it in `stats.errors`. */
export type FailResponder = (
  res: ServerResponse,
  status: number,
  format: Format,
  message: string,
  headers?: Record<string, string>,
) => void;

export function failResponder(stats: ReceiverStats): FailResponder {
  return (res, status, format, message, headers) => {
    stats.errors[status] = (stats.errors[status] ?? 0) + 1;
    sendStatus(res, status, format, message, headers);
  };
}

export interface ExportHandlerDeps {
  pipeline: Pipeline;
  stats: ReceiverStats;
  maxBodyBytes: number;
  fail: FailResponder;
}

/**
 * `POST /v1/<signal>`, once the guard allowed it, in four steps: refuse a wrong method, media
 * type, encoding or declared size before reading; read the body (decompressed, capped); decode
 * and validate it; hand it to the pipeline and answer (503 + Retry-After when the spool cannot
 * take it, partial_success when items were dropped).
 */
export function createExportHandler(
  deps: ExportHandlerDeps,
): (req: IncomingMessage, res: ServerResponse, signal: Signal) => Promise<void> {
  const { pipeline, stats, maxBodyBytes, fail } = deps;

  /** The request's encoding when its head is acceptable; undefined once it was answered. */
  const acceptHead = (
    req: IncomingMessage,
    res: ServerResponse,
    signal: Signal,
    format: Format,
  ): BodyEncoding | undefined => {
    const type = mediaType(req.headers['content-type']);
    if (req.method !== 'POST') {
      fail(res, 405, format, `use POST for /v1/${signal}`, { Allow: 'POST' });
      req.resume();
      return undefined;
    }
    if (type !== 'application/json' && type !== 'application/x-protobuf') {
      fail(
        res,
        415,
        format,
        `unsupported content type "${type}": use application/json or application/x-protobuf`,
      );
      req.resume();
      return undefined;
    }
    const encodingHeader = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    const encoding = encodingHeader === '' ? 'identity' : encodingHeader;
    if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'deflate') {
      fail(res, 415, format, `unsupported content encoding "${encoding}": use gzip or none`);
      req.resume();
      return undefined;
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > maxBodyBytes) {
      fail(res, 413, format, `request body exceeds ${maxBodyBytes} bytes`, { Connection: 'close' });
      res.on('finish', () => req.destroy());
      return undefined;
    }
    return encoding;
  };

  /** The decompressed body; undefined once the request was answered or cut. */
  const readRequestBody = async (
    req: IncomingMessage,
    res: ServerResponse,
    format: Format,
    encoding: BodyEncoding,
  ): Promise<Buffer | undefined> => {
    try {
      return await readBody(req, encoding, maxBodyBytes);
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
      return undefined;
    }
  };

  return async (req, res, signal) => {
    stats.requests++;
    const format = formatOf(req.headers['content-type']);
    const encoding = acceptHead(req, res, signal, format);
    if (encoding === undefined) return;
    const body = await readRequestBody(req, res, format, encoding);
    if (body === undefined) return;
    const checked = checkBody(signal, format, body);
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
  };
}
