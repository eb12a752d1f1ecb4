import { mkdir } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { createOtlpReceiver, type OtlpReceiver } from '@otelspool/collector';

/**
 * Where the Collector's Loki exporter sends in the interop suite. Loki cannot be built here (its
 * Go module is refused under its licence), so its OTLP/HTTP boundary is played by the product's
 * own receiver, the one `spool serve` runs (createOtlpReceiver), which serves Loki's
 * `/otlp/v1/logs` as well as `/v1/logs`. Every request path is recorded, so a test can assert
 * the records arrived on the path Loki serves and not on another one.
 */
export interface LokiSink {
  /** Base URL (`http://127.0.0.1:PORT`): what replaces `http://loki:3100`. */
  url: string;
  /** The spool directory the receiver writes into. */
  dir: string;
  /** `METHOD path -> status` of every request received, in order. */
  requests: string[];
  receiver: OtlpReceiver;
  stop(): Promise<void>;
}

export async function startLokiSink(dir: string): Promise<LokiSink> {
  await mkdir(dir, { recursive: true });
  const receiver = createOtlpReceiver({ dir, host: '127.0.0.1', port: 0 });
  const requests: string[] = [];
  receiver.server.on('request', (req: IncomingMessage, res) => {
    res.once('finish', () =>
      requests.push(`${req.method ?? '?'} ${req.url ?? ''} -> ${res.statusCode}`),
    );
  });
  const url = await receiver.listen();
  return { url, dir, requests, receiver, stop: () => receiver.close() };
}
