import type { Command } from 'commander';
import pc from 'picocolors';
import {
  readSpool,
  SIGNALS,
  stringifyOtlpJson,
  type LogsData,
  type MetricsData,
  type Signal,
  type SpoolRecord,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import {
  anyValueToString,
  earliestTimeMs,
  formatMs,
  pointValue,
  serviceName,
  spanDurationMs,
} from '../analysis/index.js';
import {
  CliError,
  EXIT_USAGE,
  spoolDirFrom,
  useColor,
  type CommonOptions,
  DIR_HELP,
  SERVICE_HELP,
  ALLOW_EMPTY_HELP,
} from '../output/index.js';

type Colors = ReturnType<typeof pc.createColors>;

interface TailCommandOptions extends CommonOptions {
  signal?: string;
  follow?: boolean;
}

/** How many items of one spool line the one-line summary names before `+N more`. */
const ITEMS_PER_LINE = 3;

const SEVERITY_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

function severityName(n: number | undefined, text: string | undefined): string {
  if (text) return text;
  if (!n) return 'UNSPECIFIED';
  return SEVERITY_NAMES[Math.min(5, Math.floor((n - 1) / 4))] ?? String(n);
}

function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? oneLine.slice(0, max - 1) + '…' : oneLine;
}

function more(parts: string[], total: number): string {
  return parts.join(', ') + (total > parts.length ? `, +${total - parts.length} more` : '');
}

/** One human line for one spool record (one OTLP request of one signal). */
export function summarizeRecord(record: SpoolRecord, c: Colors): string {
  const t = earliestTimeMs(record);
  const when = Number.isFinite(t) ? new Date(t).toISOString() : '—'.padEnd(24);
  const services = new Set<string>();
  const parts: string[] = [];
  let total = 0;
  let noun = '';
  if (record.signal === 'traces') {
    noun = 'spans';
    for (const rs of (record.data as TracesData).resourceSpans ?? []) {
      services.add(serviceName(rs.resource));
      for (const ss of rs.scopeSpans ?? [])
        for (const s of ss.spans ?? []) {
          total++;
          if (parts.length < ITEMS_PER_LINE) {
            const err = s.status?.code === 2 ? ' ' + c.red('ERROR') : '';
            parts.push(
              `${clip(s.name ?? '', 40)} ${formatMs(spanDurationMs(s.startTimeUnixNano, s.endTimeUnixNano))}${err}`,
            );
          }
        }
    }
  } else if (record.signal === 'metrics') {
    noun = 'metrics';
    for (const rm of (record.data as MetricsData).resourceMetrics ?? []) {
      services.add(serviceName(rm.resource));
      for (const sm of rm.scopeMetrics ?? [])
        for (const m of sm.metrics ?? []) {
          total++;
          if (parts.length < ITEMS_PER_LINE) {
            const p = (m.gauge ?? m.sum)?.dataPoints?.[0];
            const value = p ? pointValue(p) : NaN;
            // A NaN/±Infinity point value is shown as such; only a point without one shows no value.
            const hasValue = p !== undefined && (p.asDouble !== undefined || p.asInt !== undefined);
            parts.push(
              Number.isFinite(value)
                ? `${m.name}=${+value.toPrecision(6)}`
                : hasValue
                  ? `${m.name}=${String(value)}`
                  : `${m.name}`,
            );
          }
        }
    }
  } else {
    noun = 'logs';
    for (const rl of (record.data as LogsData).resourceLogs ?? []) {
      services.add(serviceName(rl.resource));
      for (const sl of rl.scopeLogs ?? [])
        for (const r of sl.logRecords ?? []) {
          total++;
          if (parts.length < ITEMS_PER_LINE) {
            const sev = severityName(r.severityNumber, r.severityText);
            const colored =
              (r.severityNumber ?? 0) >= 17
                ? c.red(sev)
                : (r.severityNumber ?? 0) >= 13
                  ? c.yellow(sev)
                  : sev;
            const text = r.eventName
              ? `[${r.eventName}]`
              : clip(anyValueToString(r.body) ?? '', 60);
            parts.push(`${colored} ${text}`);
          }
        }
    }
  }
  return `${c.dim(when)} ${record.signal.padEnd(7)} ${[...services].join(',')}  ${total} ${noun}: ${more(parts, total)}`;
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

export function registerTailCommand(program: Command): void {
  program
    .command('tail')
    .description(
      'Print spool records as they arrive (one line each; --json: one OTLP-JSON line each)',
    )
    .option('--signal <signal>', `only one signal: ${SIGNALS.join(', ')}`)
    .option('-f, --follow', 'keep printing new records as processes write them (Ctrl-C to stop)')
    .option('--dir <dir>', DIR_HELP)
    .option('--service <name>', SERVICE_HELP)
    .option('--allow-empty', ALLOW_EMPTY_HELP)
    .option('--json', 'print each record as its normalised OTLP-JSON line')
    .action(async (options: TailCommandOptions) => {
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
      const c = pc.createColors(!options.json && useColor());
      try {
        for await (const record of readSpool(
          spoolDirFrom(options, { read: options.follow !== true }),
          {
            signals,
            follow: options.follow === true,
            signal: abort.signal,
          },
        )) {
          // OTLP/JSON, so NaN/±Infinity print as "NaN"/"Infinity" (JSON.stringify: null) and -0 as -0.
          const line = options.json ? stringifyOtlpJson(record.data) : summarizeRecord(record, c);
          if (outputClosed) break;
          if (!process.stdout.write(line + '\n')) {
            // A slow consumer (a pipe to `less`): wait instead of buffering without bound.
            await waitForDrain(abort.signal);
          }
        }
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
        process.stdout.off('error', onStdoutError);
      }
    });
}
