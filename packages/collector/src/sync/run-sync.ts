import { listSegments, SIGNALS, type SegmentInfo } from '@otelspool/exporter-jsonl';
import { describeConsentRefusal, ensureSalt, readConsent } from '../consent/consent.js';
import { CursorStore } from '../cursors/cursor-store.js';
import { acquireSyncLock } from '../cursors/lock.js';
import { DryRunExporter } from '../exporters/dry-run-exporter.js';
import { DEFAULT_OUT_OF_ORDER_WINDOW_MS, staleMetricsWarning } from '../metrics/prometheus.js';
import { destinationGroups, groupUrls, type DestinationGroup } from './destinations.js';
import { deleteSyncedSegments } from './delete-synced.js';
import { gateConsent } from './sync-consent.js';
import { syncDestination, type SyncRun } from './sync-destination.js';
import {
  addTotals,
  concludeSummary,
  newSyncSummary,
  syncWarnings,
  type SyncOptions,
  type SyncSummary,
} from './sync-summary.js';

// `spool sync`, step by step: consent pre-check (here), destinations (destinations.ts), one
// pipeline per destination (sync-destination.ts), then totals and message (sync-summary.ts).

/**
 * `spool sync` as a pipeline: spool-reader receiver → consent gate → redaction → batching →
 * OTLP/HTTP exporter, with per-destination cursors committed after every acknowledged
 * request. Never throws for data or network problems: the summary says what happened.
 * Throws SyncLockedError when another sync holds the spool.
 */
export async function runSync(options: SyncOptions): Promise<SyncSummary> {
  const dir = options.dir;
  const dryRun = options.dryRunOut !== undefined;
  const signals = options.signals ?? [...SIGNALS];
  const consent = readConsent(dir);
  const summary = newSyncSummary(consent, dryRun);
  if (!dryRun && consent.state !== 'granted') {
    summary.status = 'no-consent';
    summary.message = `nothing sent: ${describeConsentRefusal(consent) ?? 'no consent'}`;
    return summary;
  }

  const groups = destinationGroups(options, signals);
  const run: SyncRun = {
    options,
    dryRun,
    log: options.log ?? (() => undefined),
    summary,
    warn: syncWarnings(summary),
    progress: { records: 0, bytesRead: 0, totalBytes: 0, bytesSent: 0 },
    gate: gateConsent(dir, consent, dryRun),
    salt: ensureSalt(dir),
    windowMs: options.outOfOrderWindowMs ?? DEFAULT_OUT_OF_ORDER_WINDOW_MS,
    stale: { points: 0 },
  };
  const lock = dryRun ? undefined : acquireSyncLock(dir);
  try {
    const segments = await listSegments(dir, signals).catch((): SegmentInfo[] => []);
    const cursors = openCursors(run, groups, segments);
    options.onProgress?.({ ...run.progress });
    for (const group of groups) {
      if (dryRun) {
        run.dryRunExporter ??= new DryRunExporter(
          options.dryRunOut as string,
          {},
          options.protocol,
        );
      }
      await syncDestination(run, group, cursors.get(group.name) as CursorStore);
    }
    if (run.dryRunExporter) await run.dryRunExporter.shutdown();
    if (options.deleteSynced && !dryRun) summary.deletedSegments = await deleteSyncedSegments(dir);
  } finally {
    lock?.release();
  }

  addTotals(summary);
  if (run.stale.points > 0) {
    const { points, oldestMs } = run.stale;
    run.warn(
      staleMetricsWarning(
        { stalePoints: points, ...(oldestMs !== undefined ? { oldestMs } : {}) },
        run.windowMs,
      ),
    );
  }
  run.warn.close();
  concludeSummary(summary, options.dryRunOut);
  return summary;
}

/**
 * Each destination's cursor, and the bytes still to read for all of them (the progress
 * total): a segment counts once per destination that receives its signal, from its cursor.
 */
function openCursors(
  run: SyncRun,
  groups: readonly DestinationGroup[],
  segments: readonly SegmentInfo[],
): Map<string, CursorStore> {
  const cursors = new Map<string, CursorStore>();
  for (const group of groups) {
    const cursor = new CursorStore(run.options.dir, group.name, groupUrls(group), group.signals);
    cursors.set(group.name, cursor);
    for (const seg of segments) {
      if (!group.signals.includes(seg.signal)) continue;
      run.progress.totalBytes += Math.max(
        0,
        seg.size - Math.max(0, cursor.position(seg.signal, seg.segment)),
      );
    }
  }
  return cursors;
}
