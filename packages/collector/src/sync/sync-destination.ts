import { countRecords, readSpool, type MetricsData, type Signal } from '@otelspool/exporter-jsonl';
import type { Consent } from '../consent/consent.js';
import type { CursorStore } from '../cursors/cursor-store.js';
import type { DryRunExporter } from '../exporters/dry-run-exporter.js';
import { findStalePoints } from '../metrics/prometheus.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { ExportResult, ItemBatch } from '../pipeline/types.js';
import { createConsentGate, createRedactionProcessor } from '../processors/processors.js';
import { chooseExporter, groupUrls, type DestinationGroup } from './destinations.js';
import {
  DEFAULT_MAX_REQUEST_BYTES,
  newDestinationSummary,
  type DestinationSummary,
  type SyncOptions,
  type SyncProgress,
  type SyncSummary,
  type SyncWarnings,
} from './sync-summary.js';

/** What every destination of one run shares. */
export interface SyncRun {
  options: SyncOptions;
  dryRun: boolean;
  log: (message: string) => void;
  summary: SyncSummary;
  warn: SyncWarnings;
  progress: SyncProgress;
  /** The consent the gate applies (sync-consent.ts gateConsent). */
  gate: () => Consent;
  salt: string;
  /** Metrics older than this count as stale for the Prometheus warning. */
  windowMs: number;
  stale: { points: number; oldestMs?: number };
  /** The one dry-run output, shared by every destination (created by the first). */
  dryRunExporter?: DryRunExporter;
}

/**
 * One destination: consent gate → redaction → batching → its exporter, fed by one spool read
 * per signal from its cursor; the cursor moves after every acknowledged request. A retryable
 * failure stops this destination (its data waits for the next run), not the others.
 */
export async function syncDestination(
  run: SyncRun,
  group: DestinationGroup,
  cursor: CursorStore,
): Promise<void> {
  const dest = newDestinationSummary(group.name, [...new Set(groupUrls(group))], group.signals);
  run.summary.destinations.push(dest);
  const { exporter, http } = chooseExporter(run.options, group, run.dryRunExporter);
  const pipeline = new Pipeline({
    processors: [
      createConsentGate(run.gate),
      createRedactionProcessor({ ...(run.options.redaction ?? {}), salt: run.salt }),
    ],
    exporter,
    maxBatchBytes: run.options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
    onExported: (batch, result) => recordExport(run, dest, cursor, batch, result),
  });

  const stop = await sendSignals(run, group, cursor, pipeline, dest);
  if (!run.dryRun) await pipeline.shutdown();
  dest.recordsFiltered = Object.values(pipeline.stats.droppedBy).reduce((a, b) => a + b, 0);
  if (stop) {
    dest.complete = false;
    dest.error = stop.message ?? 'not delivered';
    run.log(`${group.name}: stopped, data kept for the next run: ${dest.error}`);
  }
  run.summary.totals.retries += http?.retries ?? 0;
  dest.unusableResponses = http?.unusableResponses ?? 0;
  // Attempts the exporter retried failed too (the final outcome was counted above).
  dest.requestsFailed += http?.retries ?? 0;
  for (const problem of http?.problems ?? []) run.warn(`${group.name}: ${problem}`);
}

/**
 * After each export: the counts, the server's warnings, the stale-metrics tally, and (unless
 * retryable, or a dry run) the cursor: acknowledged or dead-lettered positions are done.
 */
function recordExport(
  run: SyncRun,
  dest: DestinationSummary,
  cursor: CursorStore,
  batch: ItemBatch,
  result: ExportResult,
): void {
  if (batch.records > 0) {
    dest.requests++;
    dest.bytesSent += result.bytes ?? 0;
    run.progress.bytesSent += result.bytes ?? 0;
    if (result.status !== 'success') dest.requestsFailed++;
  }
  if (result.status === 'retryable') return;
  if (result.status === 'success') {
    dest.recordsSent += batch.records - (result.rejected ?? 0);
    dest.recordsRejected += result.rejected ?? 0;
    if (result.rejected) {
      run.warn(
        `${dest.name}: server rejected ${result.rejected} of ${batch.records} ${batch.signal} records (partial success)` +
          (result.message ? `: ${result.message}` : ''),
      );
    } else if (result.message) {
      // partial_success with nothing rejected is the spec's way to send a warning.
      run.warn(`${dest.name}: server warning: ${result.message}`);
    }
    if (batch.signal === 'metrics' && batch.records > 0) countStalePoints(run, batch);
  } else {
    dest.recordsDeadLettered += batch.records;
    if (result.deadLetter) run.summary.deadLetters.push(result.deadLetter);
  }
  if (!run.dryRun) {
    cursor.commit(
      batch.items.flatMap((i) => (i.origin ? [{ signal: i.signal, ...i.origin }] : [])),
    );
  }
}

function countStalePoints(run: SyncRun, batch: ItemBatch): void {
  for (const item of batch.items) {
    const report = findStalePoints(item.data as MetricsData, run.windowMs);
    run.stale.points += report.stalePoints;
    if (report.oldestMs !== undefined)
      run.stale.oldestMs = Math.min(run.stale.oldestMs ?? Infinity, report.oldestMs);
  }
}

/**
 * The read loop: one reader pass per signal from the cursor (cursors are per signal), every
 * line through the pipeline; the first retryable result (or a failed read) stops the
 * destination and is returned.
 */
async function sendSignals(
  run: SyncRun,
  group: DestinationGroup,
  cursor: CursorStore,
  pipeline: Pipeline,
  dest: DestinationSummary,
): Promise<ExportResult | undefined> {
  try {
    for (const signal of group.signals) {
      const stop = await sendSignal(run, signal, cursor, pipeline, dest);
      if (stop) return stop;
      const result = await pipeline.flushSignal(signal);
      if (result?.status === 'retryable') return result;
    }
    return undefined;
  } catch (err) {
    return { status: 'retryable', message: `reading the spool failed: ${(err as Error).message}` };
  }
}

async function sendSignal(
  run: SyncRun,
  signal: Signal,
  cursor: CursorStore,
  pipeline: Pipeline,
  dest: DestinationSummary,
): Promise<ExportResult | undefined> {
  const from = cursor.positions(signal);
  const lastPosition = new Map<string, number>();
  const resume = cursor.resumePoints(signal);
  for await (const record of readSpool(run.options.dir, { signals: [signal], from: resume })) {
    const previous = lastPosition.get(record.segment) ?? from[record.segment] ?? 0;
    const size = Math.max(1, record.position - previous);
    lastPosition.set(record.segment, record.position);
    const records = countRecords(record.signal, record.data);
    dest.recordsRead += records;
    run.progress.records += records;
    run.progress.bytesRead += size;
    const result = await pipeline.consume(
      {
        signal: record.signal,
        data: record.data,
        records,
        origin: { segment: record.segment, position: record.position, line: record.line },
      },
      size,
    );
    run.options.onProgress?.({ ...run.progress });
    if (result?.status === 'retryable') return result;
  }
  return undefined;
}
