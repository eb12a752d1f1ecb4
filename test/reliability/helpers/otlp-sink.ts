import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { createHash } from 'node:crypto';

export type Signal = 'traces' | 'metrics' | 'logs';

/** What the sink does with one request. */
export type SinkAction =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'reset' } // destroy the socket before answering
  | { kind: 'stall'; ms: number } // answer nothing for a while, then destroy the socket
  | { kind: 'partial'; rejected: number }; // 200 with partial_success (records are kept)

export interface SinkRequest {
  seq: number;
  signal: Signal;
  bytes: number;
  action: SinkAction['kind'];
  /** Record keys in the body (span ids, hashed log records and data points). */
  keys: string[];
}

export interface OtlpSinkOptions {
  /** Chooses the action per request (default: always ok). */
  decide?: (seq: number) => SinkAction;
  /** Delay before answering an accepted request, ms. */
  delayMs?: number;
  /** Keep each request's record keys in `requests` (default true; off for millions of records). */
  keepRequestKeys?: boolean;
}

/**
 * A real OTLP/HTTP JSON endpoint on 127.0.0.1 (node:http): decodes every request (gzip/deflate),
 * keeps the identity of every record it acknowledged, and can misbehave on demand. Only the
 * records of requests answered 200 count as received (partial success included, as OTLP says
 * the rest was accepted).
 */
export class OtlpSink {
  readonly requests: SinkRequest[] = [];
  /** key → times acknowledged. */
  readonly acknowledged = new Map<string, number>();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private seq = 0;
  url = '';

  constructor(private readonly options: OtlpSinkOptions = {}) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const seq = ++this.seq;
    const signal = (req.url ?? '').replace(/^.*\/v1\//, '') as Signal;
    const action = this.options.decide?.(seq) ?? { kind: 'ok' };
    let body = Buffer.concat(chunks);
    const encoding = req.headers['content-encoding'];
    if (encoding === 'gzip') body = gunzipSync(body);
    else if (encoding === 'deflate') body = inflateSync(body);
    const keys = recordKeys(signal, JSON.parse(body.toString('utf8')));
    const kept = this.options.keepRequestKeys === false ? [] : keys;
    this.requests.push({ seq, signal, bytes: body.length, action: action.kind, keys: kept });
    if (action.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (action.kind === 'stall') {
      setTimeout(() => req.socket.destroy(), action.ms).unref();
      return;
    }
    if (action.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (action.retryAfter !== undefined) headers['retry-after'] = action.retryAfter;
      res.writeHead(action.status, headers);
      res.end(JSON.stringify({ code: 14, message: 'injected failure' }));
      return;
    }
    if (this.options.delayMs) await new Promise((r) => setTimeout(r, this.options.delayMs));
    // A record counts as received only once the 200 has been handed to the socket: a client
    // that timed out and gave up before then will resend, and that resend is not a duplicate.
    // (OTLP over HTTP is at-least-once: a client whose timeout fires after this point resends
    // too, which no client can avoid; the test's client timeout keeps that window out of reach.)
    res.on('finish', () => {
      for (const k of keys) this.acknowledged.set(k, (this.acknowledged.get(k) ?? 0) + 1);
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    if (action.kind === 'partial') {
      const field = {
        traces: 'rejectedSpans',
        metrics: 'rejectedDataPoints',
        logs: 'rejectedLogRecords',
      }[signal];
      res.end(
        JSON.stringify({
          partialSuccess: { [field]: String(action.rejected), errorMessage: 'injected' },
        }),
      );
    } else {
      res.end('{}');
    }
  }
}

const hash = (v: unknown): string =>
  createHash('sha1').update(JSON.stringify(v)).digest('hex').slice(0, 24);

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** The identity of every record in an OTLP/JSON request (or a spool line's data). */
export function recordKeys(signal: Signal, data: unknown): string[] {
  const keys: string[] = [];
  const d = data as Obj;
  if (signal === 'traces') {
    for (const rs of arr(d.resourceSpans))
      for (const ss of arr(rs.scopeSpans))
        for (const s of arr(ss.spans)) keys.push(`span:${String(s.traceId)}:${String(s.spanId)}`);
  } else if (signal === 'logs') {
    for (const rl of arr(d.resourceLogs)) {
      const res = hash(rl.resource);
      for (const sl of arr(rl.scopeLogs))
        for (const l of arr(sl.logRecords)) keys.push(`log:${res}:${hash(l)}`);
    }
  } else {
    for (const rm of arr(d.resourceMetrics)) {
      const res = hash(rm.resource);
      for (const sm of arr(rm.scopeMetrics))
        for (const m of arr(sm.metrics)) {
          for (const kind of ['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary']) {
            const pts = arr((m[kind] as Obj | undefined)?.dataPoints);
            for (const p of pts) keys.push(`point:${res}:${String(m.name)}:${hash(p)}`);
          }
        }
    }
  }
  return keys;
}
