import { closeSync, openSync, writeSync } from 'node:fs';
import { stringifyOtlpJson, type Signal } from '@otelspool/exporter-jsonl';
import type { ExportResult, Exporter, ItemBatch } from '../pipeline/types.js';
import type { DestinationConfig, OtlpProtocol } from '../otlp-http/config.js';
import { encodeOtlpBody } from '../otlp-http/client.js';
import { OtlpHttpExporter } from './otlp-http-exporter.js';

/**
 * The upload simulator (`spool sync --dry-run --out FILE`): writes every request the sync
 * would send, after consent filtering and redaction, as one JSON line
 * `{ signal, method, url, headers, contentType, records, bytes, body }`, `body` being the
 * exact OTLP/JSON request (for http/protobuf, the JSON form of the same message). Header
 * values are masked: they usually hold API keys.
 */
export class DryRunExporter implements Exporter {
  readonly name = 'dry-run';
  private fd: number | undefined;

  constructor(
    private readonly out: string,
    private readonly destinations: Partial<Record<Signal, DestinationConfig>> = {},
    private readonly protocol: OtlpProtocol = 'http/json',
  ) {}

  /** Adds signal → destination entries (one output file may cover several destinations). */
  addDestinations(configs: Partial<Record<Signal, DestinationConfig>>): void {
    Object.assign(this.destinations, configs);
  }

  async export(batch: ItemBatch): Promise<ExportResult> {
    if (batch.records === 0) return { status: 'success', bytes: 0 };
    const destination = this.destinations[batch.signal];
    const body = OtlpHttpExporter.requestData(batch);
    const encoded = encodeOtlpBody(batch.signal, body, this.protocol, 'gzip');
    // `body` holds OTLP data: non-finite doubles and -0 written as OTLP/JSON does.
    const line = stringifyOtlpJson({
      signal: batch.signal,
      method: 'POST',
      url: destination?.url,
      headers: Object.fromEntries(
        Object.keys(destination?.headers ?? {}).map((k) => [k, '<redacted>']),
      ),
      contentType: encoded.contentType,
      contentEncoding: 'gzip',
      records: batch.records,
      bytes: encoded.body.length,
      body,
    });
    this.fd ??= openSync(this.out, 'w', 0o600);
    writeSync(this.fd, line + '\n');
    return { status: 'success', bytes: encoded.body.length };
  }

  async shutdown(): Promise<void> {
    if (this.fd === undefined) this.fd = openSync(this.out, 'w', 0o600);
    closeSync(this.fd);
    this.fd = undefined;
  }
}
