import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { gzipSync } from 'node:zlib';
import type { Signal } from '../otlp/types.js';
import type { OtlpData } from '../otlp/types.js';
import {
  decodeResponse,
  decodeStatus,
  encodeRequest,
  partialFrom,
  type PartialSuccess,
} from '../protobuf/codec.js';
import type { OtlpProtocol } from './config.js';
import { isRetryableStatus, parseRetryAfter } from './retry.js';

export interface EncodedRequest {
  body: Buffer;
  contentType: string;
  contentEncoding?: 'gzip';
  /** Uncompressed size. */
  rawBytes: number;
}

/** Serialises one request body for the protocol, gzip-compressed when asked. */
export function encodeOtlpBody(
  signal: Signal,
  data: OtlpData,
  protocol: OtlpProtocol,
  compression: 'gzip' | 'none' = 'gzip',
): EncodedRequest {
  const raw =
    protocol === 'http/protobuf'
      ? Buffer.from(encodeRequest(signal, data))
      : Buffer.from(JSON.stringify(data), 'utf8');
  const contentType = protocol === 'http/protobuf' ? 'application/x-protobuf' : 'application/json';
  if (compression === 'gzip') {
    return { body: gzipSync(raw), contentType, contentEncoding: 'gzip', rawBytes: raw.length };
  }
  return { body: raw, contentType, rawBytes: raw.length };
}

export type AttemptOutcome =
  | { kind: 'success'; status: number; partial?: PartialSuccess }
  | { kind: 'retryable'; status?: number; retryAfterMs?: number; message: string }
  | { kind: 'permanent'; status: number; message: string };

const MAX_RESPONSE_BYTES = 64 * 1024;
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 4 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 4 });

export interface SendOptions {
  url: string;
  signal: Signal;
  headers: Record<string, string>;
  request: EncodedRequest;
  timeoutMs: number;
}

/**
 * One POST attempt, classified per the OTLP/HTTP spec. Never throws: network errors,
 * resets and timeouts come back as `retryable`.
 */
export function sendOnce(options: SendOptions): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: AttemptOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      // A configuration error, not the data's fault: keep the data, stop the run.
      done({ kind: 'retryable', message: `invalid endpoint URL: ${options.url}` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      done({ kind: 'retryable', message: `endpoint must be an http(s) URL: ${options.url}` });
      return;
    }
    const isHttps = url.protocol === 'https:';
    const headers: Record<string, string | number> = {
      'User-Agent': 'otelspool-sync/0.1.0',
      ...options.headers,
      'Content-Type': options.request.contentType,
      'Content-Length': options.request.body.length,
    };
    if (options.request.contentEncoding)
      headers['Content-Encoding'] = options.request.contentEncoding;
    let req;
    try {
      req = (isHttps ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        headers,
        agent: isHttps ? httpsAgent : httpAgent,
      });
    } catch (err) {
      done({ kind: 'retryable', message: `cannot send: ${(err as Error).message}` });
      return;
    }
    const timer = setTimeout(() => {
      req.destroy(new Error(`no response within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    timer.unref?.();
    req.on('error', (err) => {
      clearTimeout(timer);
      done({ kind: 'retryable', message: `network error: ${err.message}` });
    });
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        done({ kind: 'retryable', message: `network error reading response: ${err.message}` });
      });
      res.on('end', () => {
        clearTimeout(timer);
        done(classify(options.signal, res, Buffer.concat(chunks)));
      });
    });
    req.end(options.request.body);
  });
}

function isProtobuf(res: IncomingMessage): boolean {
  return (res.headers['content-type'] ?? '').includes('protobuf');
}

/** The server's explanation: decoded google.rpc.Status (protobuf or JSON), else text. */
export function errorMessage(res: IncomingMessage, body: Buffer): string {
  if (body.length === 0) return `HTTP ${res.statusCode ?? 0}`;
  if (isProtobuf(res)) {
    const status = decodeStatus(body);
    if (status?.message) return status.message;
  }
  const text = body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof parsed.message === 'string' && parsed.message) return parsed.message;
    if (typeof parsed.error === 'string' && parsed.error) return parsed.error;
  } catch {
    // plain text
  }
  return text.slice(0, 1024);
}

function classify(signal: Signal, res: IncomingMessage, body: Buffer): AttemptOutcome {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) {
    let partial: PartialSuccess | undefined;
    try {
      if (body.length > 0) {
        partial = isProtobuf(res)
          ? decodeResponse(signal, body)
          : partialFrom(
              signal,
              (JSON.parse(body.toString('utf8')) as { partialSuccess?: unknown }).partialSuccess,
            );
      }
    } catch {
      // An unreadable success body is still a success (the spec says the server accepted it).
    }
    return partial ? { kind: 'success', status, partial } : { kind: 'success', status };
  }
  const message = errorMessage(res, body);
  if (isRetryableStatus(status)) {
    const retryAfter = parseRetryAfter(firstHeader(res.headers['retry-after']));
    return retryAfter === undefined
      ? { kind: 'retryable', status, message }
      : { kind: 'retryable', status, message, retryAfterMs: retryAfter };
  }
  return { kind: 'permanent', status, message };
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
