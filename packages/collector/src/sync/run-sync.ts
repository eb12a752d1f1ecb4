import {
  readConsent,
  describeConsentRefusal,
  ensureSalt,
  type Consent,
  type ConsentSignals,
  type ConsentState,
} from '../consent/consent.js';
import { CursorStore } from '../cursors/cursor-store.js';
import { acquireSyncLock, type SyncLock } from '../cursors/lock.js';
import { DryRunExporter } from '../exporters/dry-run-exporter.js';
import { OtlpHttpExporter } from '../exporters/otlp-http-exporter.js';
import {
  DEFAULT_OUT_OF_ORDER_WINDOW_MS,
  findStalePoints,
  staleMetricsWarning,
} from '../metrics/prometheus.js';
import { countRecords } from '../otlp/records.js';
import { SIGNAL_LIST, type MetricsData, type Signal } from '../otlp/types.js';
import type { DestinationConfig, OtlpProtocol } from '../otlp-http/config.js';
import { resolveDestinations } from '../otlp-http/config.js';
import type { RetryOptions } from '../otlp-http/retry.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { ExportResult, Exporter, ItemBatch } from '../pipeline/types.js';
import { createConsentGate, createRedactionProcessor } from '../processors/processors.js';
import type { RedactionOptions } from '../processors/redaction.js';
import { listSegments, readSpool } from '../spool/spool-api.js';
import { deleteSyncedSegments } from './delete-synced.js';

/** Default request cap: far below the Collector's 20 MiB server limit (after decompression). */
export const DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export interface SyncProgress {
  records: number;
  bytesRead: number;
  totalBytes: number;
  bytesSent: number;
}

export interface SyncOptions {
  dir: string;
  /** Base endpoint (default OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318). */
  endpoint?: string;
  /** Per-signal endpoints, used as is (else OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT). */
  signalEndpoints?: Partial<Record<Signal, string>>;
  headers?: Record<string, string>;
  /** Destination (cursor) name for the base endpoint; default derived from its URL. */
  name?: string;
  protocol?: OtlpProtocol;
  compression?: 'gzip' | 'none';
  signals?: Signal[];
  maxRequestBytes?: number;
  retry?: RetryOptions;
  /** Write the requests to this file instead of sending (no cursor moves, no lock). */
  dryRunOut?: string;
  deleteSynced?: boolean;
  redaction?: Omit<RedactionOptions, 'salt'>;
  /** Metrics older than this trigger the Prometheus warning (default 1 h). */
  outOfOrderWindowMs?: number;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
  onProgress?: (progress: SyncProgress) => void;
}

export interface DestinationSummary {
  name: string;
  urls: string[];
  signals: Signal[];
  complete: boolean;
  requests: number;
  bytesSent: number;
  recordsRead: number;
  recordsSent: number;
  recordsRejected: number;
  recordsDeadLettered: number;
  recordsFiltered: number;
  /** Redirects and 2xx answers that were not OTLP responses (nothing counted as sent). */
  unusableResponses: number;
  /** Requests that did not succeed: attempts to be retried and batches given up on. */
  requestsFailed: number;
  error?: string;
}

export type SyncStatus = 'ok' | 'partial' | 'failed' | 'no-consent';

export interface SyncSummary {
  status: SyncStatus;
  dryRun: boolean;
  consent: ConsentState;
  consentSignals?: ConsentSignals;
  destinations: DestinationSummary[];
  totals: {
    recordsRead: number;
    recordsSent: number;
    recordsRejected: number;
    recordsDeadLettered: number;
    recordsFiltered: number;
    requests: number;
    bytesSent: number;
    retries: number;
    unusableResponses: number;
  };
  deadLetters: string[];
  deletedSegments: string[];
  warnings: string[];
  message: string;
}

/** Distinct warnings kept in a summary; more are counted, not listed. */
const MAX_WARNINGS = 50;

/** Consent is re-read at most this often while sending (and before every request). */
const CONSENT_TTL_MS = 250;

function cachedConsent(dir: string): () => Consent {
  let at = 0;
  let value: Consent = readConsent(dir);
  return () => {
    const now = Date.now();
    if (now - at > CONSENT_TTL_MS) {
      value = readConsent(dir);
      at = now;
    }
    return value;
  };
}

/** Checks consent right before each request: a revoke mid-sync stops sending at once. */
class ConsentCheckedExporter implements Exporter {
  readonly name: string;
  constructor(
    private readonly inner: Exporter,
    private readonly dir: string,
  ) {
    this.name = inner.name;
  }
  async export(batch: ItemBatch): Promise<ExportResult> {
    if (batch.records > 0 && readConsent(this.dir).state !== 'granted') {
      return { status: 'retryable', message: 'consent was withdrawn during the sync' };
    }
    return this.inner.export(batch);
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown?.() ?? Promise.resolve();
  }
}

function groupByDestination(
  destinations: Record<Signal, DestinationConfig>,
  signals: Signal[],
): Map<string, { signals: Signal[]; configs: Partial<Record<Signal, DestinationConfig>> }> {
  const groups = new Map<
    string,
    { signals: Signal[]; configs: Partial<Record<Signal, DestinationConfig>> }
  >();
  for (const signal of signals) {
    const config = destinations[signal];
    const g = groups.get(config.name) ?? { signals: [], configs: {} };
    g.signals.push(signal);
    g.configs[signal] = config;
    groups.set(config.name, g);
  }
  return groups;
}

/**
 * `spool sync` as a pipeline: spool-reader receiver → consent gate → redaction → batching →
 * OTLP/HTTP exporter, with per-destination cursors committed after every acknowledged
 * request. Never throws for data or network problems: the summary says what happened.
 * Throws SyncLockedError when another sync holds the spool.
 */
export async function runSync(options: SyncOptions): Promise<SyncSummary> {
  const dir = options.dir;
  const dryRun = options.dryRunOut !== undefined;
  const log = options.log ?? (() => undefined);
  const signals = options.signals ?? [...SIGNAL_LIST];
  const consent = readConsent(dir);
  const summary: SyncSummary = {
    status: 'ok',
    dryRun,
    consent: consent.state,
    ...(consent.state === 'granted' ? { consentSignals: consent.signals } : {}),
    destinations: [],
    totals: {
      recordsRead: 0,
      recordsSent: 0,
      recordsRejected: 0,
      recordsDeadLettered: 0,
      recordsFiltered: 0,
      requests: 0,
      bytesSent: 0,
      retries: 0,
      unusableResponses: 0,
    },
    deadLetters: [],
    deletedSegments: [],
    warnings: [],
    message: '',
  };

  // A server can answer every request with a warning: identical ones are said once, and
  // at most MAX_WARNINGS are kept (the rest counted), so a long sync's summary stays small.
  const seenWarnings = new Set<string>();
  let unshownWarnings = 0;
  const warn = (message: string): void => {
    if (seenWarnings.has(message)) return;
    if (seenWarnings.size >= MAX_WARNINGS) {
      unshownWarnings++;
      return;
    }
    seenWarnings.add(message);
    summary.warnings.push(message);
  };

  if (!dryRun && consent.state !== 'granted') {
    summary.status = 'no-consent';
    summary.message = `nothing sent: ${describeConsentRefusal(consent) ?? 'no consent'}`;
    return summary;
  }

  const destinations = resolveDestinations(signals, {
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.signalEndpoints ? { signalEndpoints: options.signalEndpoints } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const groups = groupByDestination(destinations, signals);

  // Dry run previews what a grant would send: same gate (all signals unless crashes-only).
  const gateConsent: () => Consent = dryRun
    ? () => ({
        ...consent,
        state: 'granted',
        signals: consent.state === 'granted' ? consent.signals : 'all',
      })
    : cachedConsent(dir);
  const salt = ensureSalt(dir);
  const lock: SyncLock | undefined = dryRun ? undefined : acquireSyncLock(dir);
  const windowMs = options.outOfOrderWindowMs ?? DEFAULT_OUT_OF_ORDER_WINDOW_MS;
  let stalePoints = 0;
  let oldestMs: number | undefined;
  let dryRunExporter: DryRunExporter | undefined;

  try {
    const segments = await listSegments(dir, signals).catch(() => []);
    const progress: SyncProgress = { records: 0, bytesRead: 0, totalBytes: 0, bytesSent: 0 };
    const cursors = new Map<string, CursorStore>();
    for (const [name, group] of groups) {
      const urls = group.signals.map((s) => group.configs[s]?.url ?? '');
      const cursor = new CursorStore(dir, name, urls, group.signals);
      cursors.set(name, cursor);
      for (const seg of segments) {
        if (group.signals.includes(seg.signal)) {
          progress.totalBytes += Math.max(
            0,
            seg.size - Math.max(0, cursor.position(seg.signal, seg.segment)),
          );
        }
      }
    }
    options.onProgress?.({ ...progress });

    for (const [name, group] of groups) {
      const cursor = cursors.get(name) as CursorStore;
      const dest: DestinationSummary = {
        name,
        urls: [...new Set(group.signals.map((s) => group.configs[s]?.url ?? ''))],
        signals: group.signals,
        complete: true,
        requests: 0,
        bytesSent: 0,
        recordsRead: 0,
        recordsSent: 0,
        recordsRejected: 0,
        recordsDeadLettered: 0,
        recordsFiltered: 0,
        unusableResponses: 0,
        requestsFailed: 0,
      };
      summary.destinations.push(dest);

      let httpExporter: OtlpHttpExporter | undefined;
      let exporter: Exporter;
      if (dryRun) {
        dryRunExporter ??= new DryRunExporter(options.dryRunOut as string, {}, options.protocol);
        dryRunExporter.addDestinations(group.configs);
        exporter = dryRunExporter;
      } else {
        httpExporter = new OtlpHttpExporter({
          dir,
          destinations: group.configs,
          ...(options.protocol ? { protocol: options.protocol } : {}),
          ...(options.compression ? { compression: options.compression } : {}),
          ...(options.retry ? { retry: options.retry } : {}),
          log,
        });
        exporter = new ConsentCheckedExporter(httpExporter, dir);
      }

      const pipeline = new Pipeline({
        processors: [
          createConsentGate(gateConsent),
          createRedactionProcessor({ ...(options.redaction ?? {}), salt }),
        ],
        exporter,
        maxBatchBytes: options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
        onExported: (batch, result) => {
          if (batch.records > 0) {
            dest.requests++;
            dest.bytesSent += result.bytes ?? 0;
            progress.bytesSent += result.bytes ?? 0;
            if (result.status !== 'success') dest.requestsFailed++;
          }
          if (result.status === 'retryable') return;
          if (result.status === 'success') {
            dest.recordsSent += batch.records - (result.rejected ?? 0);
            dest.recordsRejected += result.rejected ?? 0;
            if (result.rejected) {
              warn(
                `${name}: server rejected ${result.rejected} of ${batch.records} ${batch.signal} records (partial success)` +
                  (result.message ? `: ${result.message}` : ''),
              );
            } else if (result.message) {
              // partial_success with nothing rejected is the spec's way to send a warning.
              warn(`${name}: server warning: ${result.message}`);
            }
            if (batch.signal === 'metrics' && batch.records > 0) {
              for (const item of batch.items) {
                const report = findStalePoints(item.data as MetricsData, windowMs);
                stalePoints += report.stalePoints;
                if (report.oldestMs !== undefined)
                  oldestMs = Math.min(oldestMs ?? Infinity, report.oldestMs);
              }
            }
          } else {
            dest.recordsDeadLettered += batch.records;
            if (result.deadLetter) summary.deadLetters.push(result.deadLetter);
          }
          // Acknowledged (or kept as a dead letter): the spool positions are done.
          if (!dryRun) {
            cursor.commit(
              batch.items.flatMap((i) => (i.origin ? [{ signal: i.signal, ...i.origin }] : [])),
            );
          }
        },
      });

      let stop: ExportResult | undefined;
      try {
        // One reader pass per signal: cursors are per signal, and a stop ends the destination.
        for (const signal of group.signals) {
          const from = cursor.positions(signal);
          const lastPosition = new Map<string, number>();
          for await (const record of readSpool(dir, { signals: [signal], from })) {
            const previous = lastPosition.get(record.segment) ?? from[record.segment] ?? 0;
            const size = Math.max(1, record.position - previous);
            lastPosition.set(record.segment, record.position);
            const records = countRecords(record.signal, record.data);
            dest.recordsRead += records;
            progress.records += records;
            progress.bytesRead += size;
            const result = await pipeline.consume(
              {
                signal: record.signal,
                data: record.data,
                records,
                origin: { segment: record.segment, position: record.position },
              },
              size,
            );
            options.onProgress?.({ ...progress });
            if (result?.status === 'retryable') {
              stop = result;
              break;
            }
          }
          if (stop) break;
          const result = await pipeline.flushSignal(signal);
          if (result?.status === 'retryable') {
            stop = result;
            break;
          }
        }
      } catch (err) {
        stop = {
          status: 'retryable',
          message: `reading the spool failed: ${(err as Error).message}`,
        };
      }
      if (!dryRun) await pipeline.shutdown();
      dest.recordsFiltered = Object.values(pipeline.stats.droppedBy).reduce((a, b) => a + b, 0);
      if (stop) {
        dest.complete = false;
        dest.error = stop.message ?? 'not delivered';
        log(`${name}: stopped, data kept for the next run: ${dest.error}`);
      }
      summary.totals.retries += httpExporter?.retries ?? 0;
      dest.unusableResponses = httpExporter?.unusableResponses ?? 0;
      // Attempts the exporter retried failed too (the final outcome was counted above).
      dest.requestsFailed += httpExporter?.retries ?? 0;
      for (const problem of httpExporter?.problems ?? []) warn(`${name}: ${problem}`);
    }
    if (dryRunExporter) await dryRunExporter.shutdown();
    if (options.deleteSynced && !dryRun) summary.deletedSegments = await deleteSyncedSegments(dir);
  } finally {
    lock?.release();
  }

  for (const d of summary.destinations) {
    summary.totals.recordsRead += d.recordsRead;
    summary.totals.recordsSent += d.recordsSent;
    summary.totals.recordsRejected += d.recordsRejected;
    summary.totals.recordsDeadLettered += d.recordsDeadLettered;
    summary.totals.recordsFiltered += d.recordsFiltered;
    summary.totals.requests += d.requests;
    summary.totals.bytesSent += d.bytesSent;
    summary.totals.unusableResponses += d.unusableResponses;
  }
  if (stalePoints > 0) {
    warn(
      staleMetricsWarning(
        { stalePoints, ...(oldestMs !== undefined ? { oldestMs } : {}) },
        windowMs,
      ),
    );
  }
  if (unshownWarnings > 0) summary.warnings.push(`${unshownWarnings} more warnings not shown`);
  const incomplete = summary.destinations.filter((d) => !d.complete);
  const lost = summary.totals.recordsRejected + summary.totals.recordsDeadLettered;
  if (incomplete.length === 0 && lost === 0) {
    summary.status = 'ok';
    summary.message = dryRun
      ? `dry run: ${summary.totals.requests} requests (${summary.totals.recordsSent} records) written to ${options.dryRunOut}`
      : `sent ${summary.totals.recordsSent} records in ${summary.totals.requests} requests`;
  } else {
    summary.status = summary.totals.recordsSent > 0 || lost > 0 ? 'partial' : 'failed';
    const parts: string[] = [];
    if (summary.totals.recordsRejected)
      parts.push(`${summary.totals.recordsRejected} rejected by the server (partial success)`);
    if (summary.totals.recordsDeadLettered)
      parts.push(
        `${summary.totals.recordsDeadLettered} rejected permanently, kept in dead-letter/`,
      );
    for (const d of incomplete)
      parts.push(`${d.name}: unsent data kept for the next run (${d.error ?? 'error'})`);
    summary.message = `sent ${summary.totals.recordsSent} records; ${parts.join('; ')}`;
  }
  return summary;
}
