import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import {
  metricType,
  readSpool,
  RESOURCE_FIELD,
  SIGNALS,
  stringifyOtlpJson,
  type DataPoint,
  type Metric,
  type OtlpData,
  type ResourceLogs,
  type ResourceMetrics,
  type ResourceSpans,
  type Signal,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import {
  ChromeTraceIds,
  forEachFilteredSpan,
  logTimeMs,
  nanosToMs,
  resolveFilter,
  serviceMatches,
  spanToTraceEvents,
  timeMatches,
  type RecordFilter,
} from '../analysis/index.js';
import {
  CliError,
  EXIT_USAGE,
  EXPORT_FORMATS as FORMATS,
  spoolDirFrom,
  startReadProgress,
  type CommonOptions,
  type ReadProgress,
} from '../output/index.js';

export interface ExportCommandOptions extends CommonOptions {
  format: string;
  /** A file, or `-` for stdout. */
  out: string;
  since?: string;
}

/** `--out -`: write to stdout. */
export const STDOUT = '-';

/**
 * A file (or stdout, for `--out -`) that holds JSON written piece by piece, with
 * back-pressure, so an export of a spool of any size runs in bounded memory.
 */
class StreamingJsonFile {
  private readonly stream: Writable;
  private failed: Error | undefined;
  private readonly onError = (err: Error): void => {
    this.failed = err;
  };

  constructor(readonly path: string) {
    this.stream = path === STDOUT ? process.stdout : createWriteStream(path, { mode: 0o600 });
    this.stream.on('error', this.onError);
  }

  get isStdout(): boolean {
    return this.path === STDOUT;
  }

  async write(text: string): Promise<void> {
    if (this.failed) throw this.failed;
    if (!this.stream.write(text)) await this.until('drain');
    if (this.failed) throw this.failed;
  }

  async close(): Promise<void> {
    if (this.isStdout) {
      // stdout is not ended (other output may follow); just let it drain.
      this.stream.off('error', this.onError);
      if (this.failed) throw new CliError(`cannot write to stdout: ${this.failed.message}`);
      return;
    }
    this.stream.end();
    try {
      await this.until('finish');
    } catch {
      // reported below
    }
    if (this.failed) throw new CliError(`cannot write ${this.path}: ${this.failed.message}`);
  }

  /** Resolves on `event`, rejects on 'error'; removes both listeners either way. */
  private until(event: 'drain' | 'finish'): Promise<void> {
    return new Promise((resolve, reject) => {
      const onEvent = (): void => {
        this.stream.off('error', onError);
        resolve();
      };
      const onError = (err: Error): void => {
        this.stream.off(event, onEvent);
        reject(err);
      };
      this.stream.once(event, onEvent);
      this.stream.once('error', onError);
    });
  }
}

/** `trace.json` → `trace-traces.json`, `trace-metrics.json`, `trace-logs.json`. */
export function otlpJsonPath(out: string, signal: Signal): string {
  if (out === STDOUT) return STDOUT;
  const base = out.endsWith('.json') ? out.slice(0, -'.json'.length) : out;
  return `${base}-${signal}.json`;
}

/** `spool export` (options: program.ts); `--out -` writes to stdout. */
export async function exportCommand(options: ExportCommandOptions): Promise<void> {
  if (!(FORMATS as readonly string[]).includes(options.format)) {
    throw new CliError(
      `--format ${JSON.stringify(options.format)}: expected ${FORMATS.join(' or ')}`,
      EXIT_USAGE,
    );
  }
  let filter: RecordFilter;
  try {
    filter = resolveFilter({
      ...(options.since !== undefined ? { since: options.since } : {}),
      ...(options.service !== undefined ? { service: options.service } : {}),
    }).filter;
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), EXIT_USAGE);
  }
  const dir = spoolDirFrom(options, { read: true });
  // No progress line while the export itself goes to the terminal.
  const progress = startReadProgress(
    dir,
    options.format === 'chrome-trace' ? ['traces'] : SIGNALS,
    options.out === STDOUT && process.stdout.isTTY ? { json: true } : {},
  );
  try {
    if (options.format === 'chrome-trace')
      await exportChromeTrace(dir, options.out, filter, progress);
    else await exportOtlpJson(dir, options.out, filter, progress);
  } finally {
    progress.stop();
  }
}

async function exportChromeTrace(
  dir: string,
  out: string,
  filter: RecordFilter,
  progress: ReadProgress,
): Promise<void> {
  const file = new StreamingJsonFile(out);
  const ids = new ChromeTraceIds();
  let spans = 0;
  let first = true;
  await file.write('{"displayTimeUnit":"ms","traceEvents":[\n');
  for await (const record of readSpool(dir, { signals: ['traces'] })) {
    progress.onRecord(record);
    const data = record.data as TracesData;
    const chunk: string[] = [];
    forEachFilteredSpan(data, filter, (span, resource, scope) => {
      spans++;
      for (const event of spanToTraceEvents(span, resource, scope, ids)) {
        chunk.push((first ? '' : ',\n') + JSON.stringify(event));
        first = false;
      }
    });
    if (chunk.length) await file.write(chunk.join(''));
  }
  await file.write('\n]}\n');
  await file.close();
  progress.stop();
  process.stderr.write(
    `spool: wrote ${spans} spans to ${out === STDOUT ? 'stdout' : out} (open in https://ui.perfetto.dev or chrome://tracing)\n`,
  );
}

type ResourceEntry = ResourceSpans | ResourceMetrics | ResourceLogs;

/** The resource entries of one spool line (its top-level array). */
function resourceEntries(signal: Signal, data: OtlpData): readonly ResourceEntry[] {
  const list = (data as unknown as Record<string, unknown>)[RESOURCE_FIELD[signal]];
  return Array.isArray(list) ? (list as ResourceEntry[]) : [];
}

/**
 * Keeps only the items of one resource entry that pass the time filter; undefined when none do.
 * Builds a pruned copy (the spool line stays as read), so it maps the levels itself rather than
 * visiting them with the base package's walkers.
 */
function pruneResource(
  signal: Signal,
  entry: ResourceEntry,
  filter: RecordFilter,
): ResourceEntry | undefined {
  if (filter.sinceUnixMs === undefined) return entry;
  if (signal === 'traces') {
    const rs = entry as ResourceSpans;
    const scopeSpans = (rs.scopeSpans ?? [])
      .map((ss) => ({
        ...ss,
        spans: (ss.spans ?? []).filter((s) => timeMatches(filter, nanosToMs(s.startTimeUnixNano))),
      }))
      .filter((ss) => ss.spans.length > 0);
    return scopeSpans.length ? { ...rs, scopeSpans } : undefined;
  }
  if (signal === 'logs') {
    const rl = entry as ResourceLogs;
    const scopeLogs = (rl.scopeLogs ?? [])
      .map((sl) => ({
        ...sl,
        logRecords: (sl.logRecords ?? []).filter((r) => timeMatches(filter, logTimeMs(r))),
      }))
      .filter((sl) => sl.logRecords.length > 0);
    return scopeLogs.length ? { ...rl, scopeLogs } : undefined;
  }
  const rm = entry as ResourceMetrics;
  const scopeMetrics = (rm.scopeMetrics ?? [])
    .map((sm) => ({
      ...sm,
      metrics: (sm.metrics ?? []).flatMap((m) => pruneMetric(m, filter)),
    }))
    .filter((sm) => sm.metrics.length > 0);
  return scopeMetrics.length ? { ...rm, scopeMetrics } : undefined;
}

/** A metric with only the data points that pass the time filter; none when no point does. */
function pruneMetric(metric: Metric, filter: RecordFilter): Metric[] {
  const type = metricType(metric);
  const body = type && metric[type];
  if (!type || !body) return [metric];
  const dataPoints = ((body.dataPoints ?? []) as DataPoint[]).filter((p) =>
    timeMatches(filter, nanosToMs(p.timeUnixNano)),
  );
  return dataPoints.length ? [{ ...metric, [type]: { ...body, dataPoints } }] : [];
}

/**
 * One OTLP request per signal. To files: `F-traces.json`, … (a JSON document each). To stdout
 * (`--out -`): one request per line, the OTLP File Exporter format (JSON Lines) that the
 * Collector's otlpjsonfile receiver and `spool import` read.
 */
async function exportOtlpJson(
  dir: string,
  out: string,
  filter: RecordFilter,
  progress: ReadProgress,
): Promise<void> {
  const written: string[] = [];
  const sep = out === STDOUT ? ',' : ',\n';
  const open = (field: string): string => (out === STDOUT ? `{"${field}":[` : `{"${field}":[\n`);
  const close = out === STDOUT ? ']}\n' : '\n]}\n';
  let stdout: StreamingJsonFile | undefined;
  for (const signal of SIGNALS) {
    const field = RESOURCE_FIELD[signal];
    let file: StreamingJsonFile | undefined;
    let entries = 0;
    for await (const record of readSpool(dir, { signals: [signal] })) {
      progress.onRecord(record);
      const parts: string[] = [];
      for (const entry of resourceEntries(signal, record.data)) {
        if (!serviceMatches(filter, entry.resource)) continue;
        const kept = pruneResource(signal, entry, filter);
        if (kept === undefined) continue;
        // Not JSON.stringify: NaN/±Infinity must stay "NaN"/"Infinity" and -0 keep its sign.
        parts.push((entries === 0 ? '' : sep) + stringifyOtlpJson(kept));
        entries++;
      }
      if (parts.length === 0) continue;
      if (!file) {
        file =
          out === STDOUT
            ? (stdout ??= new StreamingJsonFile(STDOUT))
            : new StreamingJsonFile(otlpJsonPath(out, signal));
        await file.write(open(field));
      }
      await file.write(parts.join(''));
    }
    if (file) {
      await file.write(close);
      if (file !== stdout) await file.close();
      written.push(`${file.isStdout ? 'stdout' : file.path} (${entries} ${field})`);
    }
  }
  if (stdout) await stdout.close();
  progress.stop();
  process.stderr.write(
    written.length
      ? `spool: wrote ${written.join(', ')}\n`
      : 'spool: nothing to export (no records match)\n',
  );
}
