import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS, sendError } from './http-responses.js';
import type { SpoolWatcher } from './spool-watcher.js';

/** Open event streams are capped so a misbehaving page cannot pile up connections. */
export const MAX_EVENT_STREAMS = 32;
const HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events for live updates: `hello` with the spool version on connect, then a
 * `spool` event each time the spool's version changes (the page refetches on it). A comment
 * line every 15 s keeps proxies and the browser from timing the stream out.
 */
export class LiveEvents {
  private readonly streams = new Set<ServerResponse>();

  constructor(private readonly watcher: SpoolWatcher) {}

  get openStreams(): number {
    return this.streams.size;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream' });
      res.end();
      return;
    }
    if (this.streams.size >= MAX_EVENT_STREAMS) {
      sendError(req, res, 503, 'too_many_streams', 'too many open event streams', {
        'retry-after': '5',
      });
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    this.streams.add(res);

    const unsubscribe = this.watcher.subscribe((version) => {
      write(res, 'spool', { version });
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const cleanup = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      this.streams.delete(res);
    };
    res.on('close', cleanup);
    res.on('error', cleanup);

    this.watcher.current().then(
      (version) => write(res, 'hello', { version }),
      () => write(res, 'hello', { version: null }),
    );
  }

  /** Ends every open stream (server shutdown). */
  closeAll(): void {
    for (const res of [...this.streams]) res.end();
    this.streams.clear();
  }
}

function write(res: ServerResponse, event: string, data: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
