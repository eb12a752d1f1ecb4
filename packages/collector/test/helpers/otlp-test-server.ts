import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeRequest, encodeResponse, encodeStatus } from '../../src/protobuf/codec.js';
import { countRecords, type OtlpData, type Signal } from '@otelspool/exporter-jsonl';

/** What the server does with the next request. */
export type Behavior =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; message?: string; retryAfter?: string }
  | { kind: 'reset' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'partial'; rejected: number; message: string };

export interface ReceivedRequest {
  signal: Signal;
  path: string;
  headers: IncomingMessage['headers'];
  contentType: string;
  data: OtlpData;
  records: number;
  /** What the server answered (accepted = 2xx). */
  accepted: boolean;
}

/**
 * A real OTLP/HTTP server on 127.0.0.1 that misbehaves on command: each request takes the
 * next scripted behavior (then `ok`). Every request is decoded (gzip, JSON or protobuf) and
 * kept, with whether it was acknowledged.
 */
export class OtlpTestServer {
  readonly requests: ReceivedRequest[] = [];
  private script: Behavior[] = [];
  private server: Server;
  private sockets = new Set<import('node:net').Socket>();
  url = '';
  /** Delay before every answer (keeps a sync mid-run long enough to kill it). */
  responseDelayMs = 0;
  /** Called for every request before it is answered. */
  onRequest: ((request: ReceivedRequest) => void) | undefined;

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Queues behaviors for the next requests. */
  then(...behaviors: Behavior[]): this {
    this.script.push(...behaviors);
    return this;
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Records the server acknowledged, per signal. */
  acceptedRecords(signal?: Signal): number {
    return this.requests
      .filter((r) => r.accepted && (!signal || r.signal === signal))
      .reduce((a, r) => a + r.records, 0);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const signal = (req.url ?? '').split('/').pop() as Signal;
    const contentType = req.headers['content-type'] ?? '';
    const proto = contentType.includes('protobuf');
    const data = proto
      ? decodeRequest(signal, body)
      : (JSON.parse(body.toString('utf8')) as OtlpData);
    const entry: ReceivedRequest = {
      signal,
      path: req.url ?? '',
      headers: req.headers,
      contentType,
      data,
      records: countRecords(signal, data),
      accepted: false,
    };
    this.requests.push(entry);
    this.onRequest?.(entry);
    const behavior = this.script.shift() ?? { kind: 'ok' };
    if (this.responseDelayMs > 0) await new Promise((r) => setTimeout(r, this.responseDelayMs));
    const type = proto ? 'application/x-protobuf' : 'application/json';
    switch (behavior.kind) {
      case 'ok':
        entry.accepted = true;
        res
          .writeHead(200, { 'Content-Type': type })
          .end(proto ? Buffer.from(encodeResponse(signal)) : '{}');
        return;
      case 'partial':
        entry.accepted = true;
        res.writeHead(200, { 'Content-Type': type }).end(
          proto
            ? Buffer.from(
                encodeResponse(signal, {
                  rejected: behavior.rejected,
                  errorMessage: behavior.message,
                }),
              )
            : JSON.stringify({
                partialSuccess: {
                  rejectedSpans: behavior.rejected,
                  rejectedLogRecords: behavior.rejected,
                  rejectedDataPoints: behavior.rejected,
                  errorMessage: behavior.message,
                },
              }),
        );
        return;
      case 'status': {
        const message = behavior.message ?? `status ${behavior.status}`;
        const headers: Record<string, string> = { 'Content-Type': type };
        if (behavior.retryAfter !== undefined) headers['Retry-After'] = behavior.retryAfter;
        res
          .writeHead(behavior.status, headers)
          .end(
            proto
              ? Buffer.from(encodeStatus({ code: 3, message }))
              : JSON.stringify({ code: 3, message }),
          );
        return;
      }
      case 'reset':
        req.socket.destroy();
        return;
      case 'slow':
        await new Promise((r) => setTimeout(r, behavior.delayMs));
        // Accepted only if the client is still there to hear it.
        if (!res.destroyed && !req.socket.destroyed) {
          entry.accepted = true;
          res.writeHead(200, { 'Content-Type': type }).end('{}');
        }
        return;
    }
  }
}
