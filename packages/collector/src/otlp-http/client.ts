import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { stringifyOtlpJson, type OtlpData, type Signal } from '@otelspool/exporter-jsonl';
import { decodeStatus, encodeRequest } from '../protobuf/codec.js';
import type { OtlpProtocol } from './config.js';
import {
  BodyCapture,
  RESPONSE_HEAD_BYTES,
  displayText,
  judgeSuccessBody,
  responseFormat,
  type CapturedBody,
  type ClaimedPartial,
} from './response.js';
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
      : Buffer.from(stringifyOtlpJson(data), 'utf8');
  const contentType = protocol === 'http/protobuf' ? 'application/x-protobuf' : 'application/json';
  if (compression === 'gzip') {
    return { body: gzipSync(raw), contentType, contentEncoding: 'gzip', rawBytes: raw.length };
  }
  return { body: raw, contentType, rawBytes: raw.length };
}

export type AttemptOutcome =
  | { kind: 'success'; status: number; partial?: ClaimedPartial }
  | { kind: 'retryable'; status?: number; retryAfterMs?: number; message: string }
  | { kind: 'permanent'; status: number; message: string }
  /**
   * The endpoint is not one to send to as configured: a redirect (never followed, so the
   * request's credentials never reach another URL) or a 2xx that is not an OTLP response.
   * Not delivered, not the data's fault: stop, keep the data and the cursor, no retry.
   */
  | { kind: 'unusable'; status: number; reason: 'redirect' | 'not-otlp'; message: string };

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
      // Bounded: a head is kept for parsing, a short tail for counts after a long message,
      // and an endless body is cut (the socket dropped) instead of read until the timeout.
      const capture = new BodyCapture();
      const finish = (cut: boolean): void => {
        clearTimeout(timer);
        done(classify(options, res, capture.result(cut)));
      };
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        if (!capture.push(chunk)) {
          finish(true);
          res.destroy();
        }
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        done({ kind: 'retryable', message: `network error reading response: ${err.message}` });
      });
      res.on('end', () => finish(false));
      // A response cut before its end (timeout, reset) is a network error, not an answer.
      res.on('close', () => {
        clearTimeout(timer);
        done({ kind: 'retryable', message: 'connection closed before the response ended' });
      });
    });
    req.end(options.request.body);
  });
}

function isProtobuf(res: IncomingMessage): boolean {
  return (res.headers['content-type'] ?? '').includes('protobuf');
}

/**
 * The server's explanation of an error status: decoded google.rpc.Status (protobuf or
 * JSON), else its text; always made printable and short (a hostile server chooses it).
 */
export function errorMessage(res: IncomingMessage, body: Buffer): string {
  if (body.length === 0) return `HTTP ${res.statusCode ?? 0}`;
  if (isProtobuf(res)) {
    const status = decodeStatus(body);
    if (status?.message) return displayText(status.message, 1024);
  }
  const text = body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof parsed.message === 'string' && parsed.message)
      return displayText(parsed.message, 1024);
    if (typeof parsed.error === 'string' && parsed.error) return displayText(parsed.error, 1024);
  } catch {
    // plain text
  }
  return displayText(text, 1024);
}

function classify(options: SendOptions, res: IncomingMessage, body: CapturedBody): AttemptOutcome {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) {
    const format = responseFormat(res.headers['content-type'], options.request.contentType);
    const verdict = judgeSuccessBody(
      options.signal,
      decodedBody(firstHeader(res.headers['content-encoding']), body),
      format,
    );
    if (verdict.kind === 'not-otlp') {
      return {
        kind: 'unusable',
        status,
        reason: 'not-otlp',
        message: `${options.url} answered ${status} but not as an OTLP endpoint: ${verdict.reason}`,
      };
    }
    return verdict.partial
      ? { kind: 'success', status, partial: verdict.partial }
      : { kind: 'success', status };
  }
  if (status >= 300 && status < 400) {
    // Never followed: the target could be any host, and our headers carry credentials.
    const location = firstHeader(res.headers.location);
    return {
      kind: 'unusable',
      status,
      reason: 'redirect',
      message:
        `${options.url} answered ${status} redirect` +
        (location ? ` to ${displayText(location, 300)}` : '') +
        '; redirects are not followed (the request carries credentials): set the endpoint to the final URL',
    };
  }
  const message = errorMessage(res, body.head);
  if (isRetryableStatus(status)) {
    const retryAfter = parseRetryAfter(firstHeader(res.headers['retry-after']));
    return retryAfter === undefined
      ? { kind: 'retryable', status, message }
      : { kind: 'retryable', status, message, retryAfterMs: retryAfter };
  }
  return { kind: 'permanent', status, message };
}

/**
 * A compressed success body (we send no Accept-Encoding, but proxies do this), inflated to
 * at most the parsed head: a small bomb cannot grow into memory. Undecodable stays as is.
 */
function decodedBody(encoding: string | undefined, body: CapturedBody): CapturedBody {
  const e = (encoding ?? '').trim().toLowerCase();
  if (!body.totalBytes || (e !== 'gzip' && e !== 'deflate') || body.tail.length || body.cut) {
    return body;
  }
  try {
    const inflate = e === 'gzip' ? gunzipSync : inflateSync;
    const head = inflate(body.head, { maxOutputLength: RESPONSE_HEAD_BYTES });
    return { head, tail: Buffer.alloc(0), totalBytes: head.length, cut: false };
  } catch {
    // too large once inflated, or not compressed after all: judged as received
    return body;
  }
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
