import type { Signal } from '@otelspool/exporter-jsonl';
import type { Consent, ConsentSignals, ConsentState } from '../consent/consent.js';
import type { RedactionOptions } from '../processors/redaction.js';
import type { OtlpProtocol } from '../otlp-http/config.js';
import type { RetryOptions } from '../otlp-http/retry.js';

// What `runSync` takes and what it reports, and the two steps that build the report: the
// warnings kept while sending and the totals and message at the end.

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

/** An empty summary for a run under `consent`. */
export function newSyncSummary(consent: Consent, dryRun: boolean): SyncSummary {
  return {
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
}

export function newDestinationSummary(
  name: string,
  urls: string[],
  signals: Signal[],
): DestinationSummary {
  return {
    name,
    urls,
    signals,
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
}

/** Distinct warnings kept in a summary; more are counted, not listed. */
const MAX_WARNINGS = 50;

export interface SyncWarnings {
  (message: string): void;
  /** Adds the "N more warnings not shown" line, when some were. */
  close(): void;
}

/**
 * A server can answer every request with a warning: identical ones are said once, and at most
 * MAX_WARNINGS are kept (the rest counted), so a long sync's summary stays small.
 */
export function syncWarnings(summary: SyncSummary): SyncWarnings {
  const seen = new Set<string>();
  let unshown = 0;
  const warn = (message: string): void => {
    if (seen.has(message)) return;
    if (seen.size >= MAX_WARNINGS) {
      unshown++;
      return;
    }
    seen.add(message);
    summary.warnings.push(message);
  };
  return Object.assign(warn, {
    close(): void {
      if (unshown > 0) summary.warnings.push(`${unshown} more warnings not shown`);
    },
  });
}

/** Adds every destination's counts to the totals. */
export function addTotals(summary: SyncSummary): void {
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
}

/** The status and the one-line message, from the totals. */
export function concludeSummary(summary: SyncSummary, dryRunOut: string | undefined): void {
  const incomplete = summary.destinations.filter((d) => !d.complete);
  const lost = summary.totals.recordsRejected + summary.totals.recordsDeadLettered;
  if (incomplete.length === 0 && lost === 0) {
    summary.status = 'ok';
    summary.message = summary.dryRun
      ? `dry run: ${summary.totals.requests} requests (${summary.totals.recordsSent} records) written to ${dryRunOut}`
      : `sent ${summary.totals.recordsSent} records in ${summary.totals.requests} requests`;
    return;
  }
  summary.status = summary.totals.recordsSent > 0 || lost > 0 ? 'partial' : 'failed';
  const parts: string[] = [];
  if (summary.totals.recordsRejected)
    parts.push(`${summary.totals.recordsRejected} rejected by the server (partial success)`);
  if (summary.totals.recordsDeadLettered)
    parts.push(`${summary.totals.recordsDeadLettered} rejected permanently, kept in dead-letter/`);
  for (const d of incomplete)
    parts.push(`${d.name}: unsent data kept for the next run (${d.error ?? 'error'})`);
  summary.message = `sent ${summary.totals.recordsSent} records; ${parts.join('; ')}`;
}
