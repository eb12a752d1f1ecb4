import { createWriteStream, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import {
  readSpool,
  stringifyOtlpJson,
  type LogsData,
  type MetricsData,
  type Signal,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import {
  ChromeTraceIds,
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
  spoolDirFrom,
  type CommonOptions,
  DIR_HELP,
  SERVICE_FILTER_HELP,
  ALLOW_EMPTY_HELP,
} from '../output/index.js';

interface ExportCommandOptions extends CommonOptions {
  format: string;
  out: string;
  since?: string;
}

const FORMATS = ['chrome-trace', 'otlp-json'] as const;

/** The top-level array field of each signal's OTLP request object. */
const RESOURCE_FIELD: Record<Signal, string> = {
  traces: 'resourceSpans',
  metrics: 'resourceMetrics',
  logs: 'resourceLogs',
};

/**
 * A file that holds one JSON document written piece by piece, with back-pressure, so an
 * export of a spool of any size runs in bounded memory.
 */
class StreamingJsonFile {
  private readonly stream: WriteStream;
  private failed: Error | undefined;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { mode: 0o600 });
    this.stream.on('error', (err) => {
      this.failed = err;
    });
  }

  async write(text: string): Promise<void> {
    if (this.failed) throw this.failed;
    if (!this.stream.write(text)) await this.until('drain');
    if (this.failed) throw this.failed;
  }

  async close(): Promise<void> {
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
  const base = out.endsWith('.json') ? out.slice(0, -'.json'.length) : out;
  return `${base}-${signal}.json`;
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      'Export for other tools: chrome-trace (Perfetto, chrome://tracing) or otlp-json (one OTLP request per signal: F-traces.json, F-metrics.json, F-logs.json)',
    )
    .requiredOption('--format <format>', `one of ${FORMATS.join(', ')}`)
    .requiredOption('--out <file>', 'output file (otlp-json: the base name of the three files)')
    .option('--since <when>', 'only data newer than a duration (30m, 24h) or an ISO date')
    .option('--dir <dir>', DIR_HELP)
    .option('--service <name>', SERVICE_FILTER_HELP)
    .option('--allow-empty', ALLOW_EMPTY_HELP)
    .action(async (options: ExportCommandOptions) => {
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
      if (options.format === 'chrome-trace') await exportChromeTrace(dir, options.out, filter);
      else await exportOtlpJson(dir, options.out, filter);
    });
}

async function exportChromeTrace(dir: string, out: string, filter: RecordFilter): Promise<void> {
  const file = new StreamingJsonFile(out);
  const ids = new ChromeTraceIds();
  let spans = 0;
  let first = true;
  await file.write('{"displayTimeUnit":"ms","traceEvents":[\n');
  for await (const record of readSpool(dir, { signals: ['traces'] })) {
    const data = record.data as TracesData;
    const chunk: string[] = [];
    for (const rs of data.resourceSpans ?? []) {
      if (!serviceMatches(filter, rs.resource)) continue;
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          if (!timeMatches(filter, nanosToMs(span.startTimeUnixNano))) continue;
          spans++;
          for (const event of spanToTraceEvents(span, rs.resource, ss.scope, ids)) {
            chunk.push((first ? '' : ',\n') + JSON.stringify(event));
            first = false;
          }
        }
      }
    }
    if (chunk.length) await file.write(chunk.join(''));
  }
  await file.write('\n]}\n');
  await file.close();
  process.stderr.write(
    `spool: wrote ${spans} spans to ${out} (open in https://ui.perfetto.dev or chrome://tracing)\n`,
  );
}

/** Keeps only the items of one resource entry that pass the time filter; undefined when none do. */
function pruneResource(
  signal: Signal,
  entry: Record<string, unknown>,
  filter: RecordFilter,
): unknown {
  if (filter.sinceUnixMs === undefined) return entry;
  if (signal === 'traces') {
    const rs = entry as TracesData['resourceSpans'][number];
    const scopeSpans = (rs.scopeSpans ?? [])
      .map((ss) => ({
        ...ss,
        spans: (ss.spans ?? []).filter((s) => timeMatches(filter, nanosToMs(s.startTimeUnixNano))),
      }))
      .filter((ss) => ss.spans.length > 0);
    return scopeSpans.length ? { ...rs, scopeSpans } : undefined;
  }
  if (signal === 'logs') {
    const rl = entry as LogsData['resourceLogs'][number];
    const scopeLogs = (rl.scopeLogs ?? [])
      .map((sl) => ({
        ...sl,
        logRecords: (sl.logRecords ?? []).filter((r) => timeMatches(filter, logTimeMs(r))),
      }))
      .filter((sl) => sl.logRecords.length > 0);
    return scopeLogs.length ? { ...rl, scopeLogs } : undefined;
  }
  const rm = entry as MetricsData['resourceMetrics'][number];
  const keep = <P extends { timeUnixNano?: string }>(points: P[] | undefined): P[] =>
    (points ?? []).filter((p) => timeMatches(filter, nanosToMs(p.timeUnixNano)));
  const scopeMetrics = (rm.scopeMetrics ?? [])
    .map((sm) => ({
      ...sm,
      metrics: (sm.metrics ?? []).flatMap((m) => {
        for (const kind of [
          'gauge',
          'sum',
          'histogram',
          'exponentialHistogram',
          'summary',
        ] as const) {
          const body = m[kind] as { dataPoints?: { timeUnixNano?: string }[] } | undefined;
          if (body) {
            const dataPoints = keep(body.dataPoints);
            return dataPoints.length ? [{ ...m, [kind]: { ...body, dataPoints } }] : [];
          }
        }
        return [m];
      }),
    }))
    .filter((sm) => sm.metrics.length > 0);
  return scopeMetrics.length ? { ...rm, scopeMetrics } : undefined;
}

async function exportOtlpJson(dir: string, out: string, filter: RecordFilter): Promise<void> {
  const written: string[] = [];
  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    const field = RESOURCE_FIELD[signal];
    let file: StreamingJsonFile | undefined;
    let entries = 0;
    for await (const record of readSpool(dir, { signals: [signal] })) {
      const list = (record.data as unknown as Record<string, unknown>)[field];
      if (!Array.isArray(list)) continue;
      const parts: string[] = [];
      for (const entry of list as Record<string, unknown>[]) {
        if (!serviceMatches(filter, entry.resource as never)) continue;
        const kept = pruneResource(signal, entry, filter);
        if (kept === undefined) continue;
        // Not JSON.stringify: NaN/±Infinity must stay "NaN"/"Infinity" and -0 keep its sign.
        parts.push((entries === 0 ? '' : ',\n') + stringifyOtlpJson(kept));
        entries++;
      }
      if (parts.length === 0) continue;
      if (!file) {
        file = new StreamingJsonFile(otlpJsonPath(out, signal));
        await file.write(`{"${field}":[\n`);
      }
      await file.write(parts.join(''));
    }
    if (file) {
      await file.write('\n]}\n');
      await file.close();
      written.push(`${file.path} (${entries} ${field})`);
    }
  }
  process.stderr.write(
    written.length
      ? `spool: wrote ${written.join(', ')}\n`
      : 'spool: nothing to export (no records match)\n',
  );
}
