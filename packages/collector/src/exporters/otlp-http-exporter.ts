import { mergeData, type MetricsData, type OtlpData, type Signal } from '@otelspool/exporter-jsonl';
import type { ExportResult, Exporter, ItemBatch } from '../pipeline/types.js';
import {
  encodeOtlpBody,
  sendOnce,
  type AttemptOutcome,
  type EncodedRequest,
} from '../otlp-http/client.js';
import type { DestinationConfig, OtlpProtocol } from '../otlp-http/config.js';
import { writeDeadLetter } from '../otlp-http/dead-letters.js';
import { backoffDelay, resolveRetry, type RetryOptions } from '../otlp-http/retry.js';
import {
  clampRejected,
  displayText,
  MAX_MESSAGE_CHARS,
  type ClaimedPartial,
} from '../otlp-http/response.js';
import { orderMetricPoints } from '../metrics/prometheus.js';

export interface OtlpHttpExporterOptions {
  /** Spool dir: dead letters go to `<dir>/dead-letter/`. */
  dir: string;
  destinations: Partial<Record<Signal, DestinationConfig>>;
  protocol?: OtlpProtocol;
  compression?: 'gzip' | 'none';
  retry?: RetryOptions;
  /** Injected for tests of the policy; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string) => void;
}

const MAX_PROBLEMS = 50;
const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The sync exporter: one OTLP/HTTP request per batch, retried per the spec; permanent
 * rejections go to the dead-letter folder; partial_success is reported, never retried.
 * A batch that could not be delivered within the retry budget comes back `retryable`:
 * the caller stops and leaves the cursor where it is (nothing is discarded for age).
 */
export class OtlpHttpExporter implements Exporter {
  readonly name = 'otlphttp';
  private readonly retry;
  private retriesLeft: number;
  private readonly sleep;
  /** Retry attempts made so far in this run. */
  retries = 0;
  /** Redirects and 2xx answers that were not OTLP responses, this run. */
  unusableResponses = 0;
  /** What those answers were, and claims that had to be clamped: for the run's warnings. */
  readonly problems: string[] = [];

  constructor(private readonly options: OtlpHttpExporterOptions) {
    this.retry = resolveRetry(options.retry);
    this.retriesLeft = this.retry.maxRetriesPerRun;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** The request body for a batch: merged lines, metrics points in time order per series. */
  static requestData(batch: ItemBatch): OtlpData {
    const merged = mergeData(
      batch.signal,
      batch.items.map((i) => i.data),
    );
    return batch.signal === 'metrics' ? orderMetricPoints(merged as MetricsData) : merged;
  }

  async export(batch: ItemBatch): Promise<ExportResult> {
    const destination = this.options.destinations[batch.signal];
    if (!destination) return { status: 'permanent', message: `no destination for ${batch.signal}` };
    const data = OtlpHttpExporter.requestData(batch);
    if (batch.records === 0) return { status: 'success', bytes: 0 };
    let request: EncodedRequest;
    try {
      request = encodeOtlpBody(
        batch.signal,
        data,
        this.options.protocol ?? 'http/json',
        this.options.compression,
      );
    } catch (err) {
      return this.deadLetter(
        batch,
        destination,
        data,
        0,
        `cannot encode request: ${(err as Error).message}`,
      );
    }
    let bytes = 0;
    for (let attempt = 1; ; attempt++) {
      bytes += request.body.length;
      const outcome: AttemptOutcome = await sendOnce({
        url: destination.url,
        signal: batch.signal,
        headers: destination.headers,
        request,
        timeoutMs: this.retry.timeoutMs,
      });
      if (outcome.kind === 'success') {
        if (outcome.partial) return this.partialSuccess(batch, destination, outcome.partial, bytes);
        return { status: 'success', bytes };
      }
      if (outcome.kind === 'unusable') {
        // Not delivered and not worth retrying now: a redirect or a 2xx from something that
        // is not an OTLP endpoint. The cursor stays; the next run (fixed config) sends it.
        this.unusableResponses++;
        this.problem(outcome.message);
        return { status: 'retryable', bytes, message: outcome.message };
      }
      if (outcome.kind === 'permanent') {
        return {
          ...this.deadLetter(batch, destination, data, outcome.status, outcome.message),
          bytes,
        };
      }
      // Retryable: wait (Retry-After wins over backoff) unless a budget is spent.
      const tooLong =
        outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.retry.maxRetryAfterMs;
      if (attempt >= this.retry.maxAttempts || this.retriesLeft <= 0 || tooLong) {
        const why = tooLong
          ? `server asked to wait ${Math.round((outcome.retryAfterMs ?? 0) / 1000)} s`
          : 'retry budget exhausted';
        return {
          status: 'retryable',
          bytes,
          message: `${destination.url}: ${outcome.message}${outcome.status ? ` (HTTP ${outcome.status})` : ''}; ${why}`,
        };
      }
      this.retriesLeft--;
      this.retries++;
      const delay = outcome.retryAfterMs ?? backoffDelay(attempt, this.retry);
      this.options.log?.(
        `${destination.url}: ${outcome.message}${outcome.status ? ` (HTTP ${outcome.status})` : ''}; retrying in ${delay} ms`,
      );
      await this.sleep(delay);
    }
  }

  /**
   * A partial_success: the claimed count is clamped to [0, records sent] (a server cannot
   * make "sent" negative or exceed the batch), the message made printable and short.
   */
  private partialSuccess(
    batch: ItemBatch,
    destination: DestinationConfig,
    partial: ClaimedPartial,
    bytes: number,
  ): ExportResult {
    const rejected = clampRejected(partial.rejected, batch.records);
    if (BigInt(rejected) !== partial.rejected) {
      this.problem(
        `${destination.url}: server claimed ${displayText(partial.rejected.toString(), 40)} rejected ${batch.signal} records of ${batch.records} sent; counted ${rejected}`,
      );
    }
    const message = partial.messageTruncated
      ? `${displayText(partial.errorMessage.slice(0, 300), 300)}… (truncated; the server's message is longer than ${MAX_MESSAGE_CHARS} characters)`
      : displayText(partial.errorMessage, 300);
    this.options.log?.(
      `${destination.url}: partial success, ${rejected} of ${batch.records} ${batch.signal} records rejected` +
        (message ? `: ${message}` : ''),
    );
    return { status: 'success', bytes, rejected, ...(message ? { message } : {}) };
  }

  /** Kept for the summary; bounded, as a lying server may say the same on every request. */
  private problem(message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(message);
  }

  private deadLetter(
    batch: ItemBatch,
    destination: DestinationConfig,
    data: OtlpData,
    status: number,
    message: string,
  ): ExportResult {
    const file = writeDeadLetter(this.options.dir, {
      signal: batch.signal,
      destination: destination.name,
      url: destination.url,
      status,
      message,
      records: batch.records,
      request: data,
    });
    this.options.log?.(
      `${destination.url}: rejected ${batch.records} ${batch.signal} records (HTTP ${status}): ${message}; kept in ${file}`,
    );
    return { status: 'permanent', message, deadLetter: file };
  }
}
