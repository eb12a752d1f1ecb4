import {
  forEachLogRecord,
  forEachMetric,
  forEachSpan,
  metricDataPoints,
  metricType,
  readSpool,
  scalarText,
  SIGNALS,
  stringifyOtlpJson,
  type DataPoint,
  type ExponentialHistogramDataPoint,
  type HistogramDataPoint,
  type KeyValue,
  type LogsData,
  type MetricsData,
  type MetricType,
  type NumberDataPoint,
  type Signal,
  type SpoolRecord,
  type SummaryDataPoint,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import {
  formatMs,
  logTimeMs,
  nanosToMs,
  pointValue,
  serviceName,
  spanDurationMs,
} from '../analysis/index.js';
import {
  CliError,
  colors,
  displayWidth,
  ellipsize,
  EXIT_USAGE,
  JSON_SCHEMA_VERSION,
  oneLine,
  spoolDirFrom,
  terminalWidth,
  type Colors,
  type CommonOptions,
} from '../output/index.js';

export interface TailCommandOptions extends CommonOptions {
  signal?: string;
  follow?: boolean;
}

const SEVERITY_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

function severityName(n: number | undefined, text: string | undefined): string {
  if (text) return text;
  if (!n) return 'UNSPECIFIED';
  return SEVERITY_NAMES[Math.min(5, Math.floor((n - 1) / 4))] ?? String(n);
}

/** One record of a spool line: a span, a log record or a metric data point. */
export interface TailItem {
  signal: Signal;
  timeMs: number;
  service: string;
  /** The human text after time, signal and service. */
  text(c: Colors): string;
}

/** `{key=value,...}` in the attributes' own order, for display (not a grouping key). */
function attributesText(attributes: KeyValue[] | undefined): string {
  if (!attributes || attributes.length === 0) return '';
  return `{${attributes.map((a) => `${a.key}=${scalarText(a.value) ?? ''}`).join(',')}}`;
}

function numberText(value: unknown): string {
  const n = typeof value === 'string' ? Number(value) : (value as number);
  return typeof n === 'number' && Number.isFinite(n) ? String(+n.toPrecision(6)) : String(value);
}

function pointText(name: string, kind: MetricType, p: DataPoint): string {
  const label = `${name}${attributesText(p.attributes)}`;
  if (kind === 'gauge' || kind === 'sum') {
    const point = p as NumberDataPoint;
    // A NaN/±Infinity point value is shown as such; only a point without one shows no value.
    if (point.asDouble === undefined && point.asInt === undefined) return label;
    const value = pointValue(point);
    return `${label}=${Number.isFinite(value) ? +value.toPrecision(6) : String(value)}`;
  }
  const q = p as HistogramDataPoint | ExponentialHistogramDataPoint | SummaryDataPoint;
  const parts = [`count=${String(q.count ?? 0)}`];
  if (q.sum !== undefined) parts.push(`sum=${numberText(q.sum)}`);
  if ('min' in q && q.min !== undefined) parts.push(`min=${numberText(q.min)}`);
  if ('max' in q && q.max !== undefined) parts.push(`max=${numberText(q.max)}`);
  return `${label} ${parts.join(' ')}`;
}

/**
 * Unix ms of an OTLP nano timestamp, exact to the µs (nanosToMs goes through a float of the
 * nanoseconds, which can land a hair below a whole ms and print the previous millisecond).
 */
function timeMs(nanos: string | undefined): number {
  if (nanos === undefined || !/^\d+$/.test(nanos)) return nanosToMs(nanos);
  return Number(BigInt(nanos) / 1000n) / 1000;
}

/** The records of one spool line, one item per span / log record / data point, in file order. */
export function tailItems(record: SpoolRecord): TailItem[] {
  const items: TailItem[] = [];
  if (record.signal === 'traces') {
    forEachSpan(record.data as TracesData, (s, _ss, rs) => {
      items.push({
        signal: 'traces',
        timeMs: timeMs(s.startTimeUnixNano),
        service: serviceName(rs.resource),
        text: (c) =>
          `${s.name ?? ''} ${formatMs(spanDurationMs(s.startTimeUnixNano, s.endTimeUnixNano))}` +
          (s.status?.code === 2
            ? ' ' + c.red('ERROR') + (s.status.message ? ` ${s.status.message}` : '')
            : ''),
      });
    });
  } else if (record.signal === 'metrics') {
    forEachMetric(record.data as MetricsData, (m, _sm, rm) => {
      const service = serviceName(rm.resource);
      const kind = metricType(m);
      const points = metricDataPoints(m);
      if (!kind || points.length === 0) {
        items.push({
          signal: 'metrics',
          timeMs: NaN,
          service,
          text: () => `${m.name ?? ''} (no data points)`,
        });
        return;
      }
      for (const p of points) {
        items.push({
          signal: 'metrics',
          timeMs: timeMs(p.timeUnixNano),
          service,
          text: () => pointText(m.name ?? '', kind, p),
        });
      }
    });
  } else {
    forEachLogRecord(record.data as LogsData, (r, _sl, rl) => {
      items.push({
        signal: 'logs',
        timeMs: r.timeUnixNano && r.timeUnixNano !== '0' ? timeMs(r.timeUnixNano) : logTimeMs(r),
        service: serviceName(rl.resource),
        text: (c) => {
          const sev = severityName(r.severityNumber, r.severityText);
          const colored =
            (r.severityNumber ?? 0) >= 17
              ? c.red(sev)
              : (r.severityNumber ?? 0) >= 13
                ? c.yellow(sev)
                : sev;
          const body = scalarText(r.body) ?? '';
          const text = [r.eventName ? `[${r.eventName}]` : '', body].filter(Boolean).join(' ');
          return `${colored} ${text}`;
        },
      });
    });
  }
  return items;
}

/** One human line: time, signal, service, then the record, cut to `width` on a terminal. */
export function tailLine(item: TailItem, c: Colors, width?: number): string {
  const when = Number.isFinite(item.timeMs) ? new Date(item.timeMs).toISOString() : '—'.padEnd(24);
  const prefix = `${when} ${item.signal.padEnd(7)} ${item.service}  `;
  const text = oneLine(item.text(c));
  const room = width === undefined ? undefined : Math.max(10, width - displayWidth(prefix));
  return (
    `${c.dim(when)} ${item.signal.padEnd(7)} ${item.service}  ` +
    (room === undefined ? text : ellipsize(text, room))
  );
}

/**
 * One --json line: the spool line's OTLP request as stored (its records together, lossless,
 * readable by `spool import` and the Collector's otlpjsonfile receiver, which ignore unknown
 * fields as OTLP/JSON requires), with `"schemaVersion": 1` added as its last field.
 */
export function tailJsonLine(record: SpoolRecord): string {
  // OTLP/JSON, so NaN/±Infinity print as "NaN"/"Infinity" (JSON.stringify: null) and -0 as -0.
  return stringifyOtlpJson({ ...record.data, schemaVersion: JSON_SCHEMA_VERSION });
}

/** Resolves when stdout drains, or at once when the command is ending (SIGINT, closed pipe). */
function waitForDrain(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      process.stdout.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    process.stdout.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** `spool tail`: one line per span, log record or data point (see program.ts for the options). */
export async function tailCommand(options: TailCommandOptions): Promise<void> {
  let signals: Signal[] = [...SIGNALS];
  if (options.signal !== undefined) {
    if (!(SIGNALS as readonly string[]).includes(options.signal)) {
      throw new CliError(
        `--signal ${JSON.stringify(options.signal)}: expected ${SIGNALS.join(', ')}`,
        EXIT_USAGE,
      );
    }
    signals = [options.signal as Signal];
  }
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  // `spool tail | head`: the reader went away (EPIPE). Stop quietly, as `tail` does.
  let outputClosed = false;
  const onStdoutError = (): void => {
    outputClosed = true;
    abort.abort();
  };
  process.stdout.on('error', onStdoutError);
  const c = colors(options);
  const width = options.json ? undefined : terminalWidth();
  try {
    for await (const record of readSpool(spoolDirFrom(options, { read: options.follow !== true }), {
      signals,
      follow: options.follow === true,
      signal: abort.signal,
    })) {
      const lines = options.json
        ? [tailJsonLine(record)]
        : tailItems(record).map((item) => tailLine(item, c, width));
      if (lines.length === 0) continue;
      if (outputClosed) break;
      if (!process.stdout.write(lines.join('\n') + '\n')) {
        // A slow consumer (a pipe to `less`): wait instead of buffering without bound.
        await waitForDrain(abort.signal);
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    process.stdout.off('error', onStdoutError);
  }
}
