import { createRequire } from 'node:module';
import {
  endpointShape,
  listDeadLetters,
  parseHeaderArgs,
  resendDeadLetters,
  runSync,
  SyncLockedError,
  type OtlpProtocol,
  type SyncProgress,
  type SyncSummary,
} from '@otelspool/collector';
import { SIGNALS, type Signal } from '@otelspool/exporter-jsonl';
import {
  CliError,
  confirmDestructive,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  printJson,
  progressAllowed,
  spoolDirFrom,
  type CommonOptions,
} from '../output/index.js';
import { recordSyncMetrics } from './sync-metrics.js';

export interface SyncCliOptions extends CommonOptions {
  yes?: boolean;
  endpoint?: string;
  protocol: string;
  header: string[];
  name?: string;
  dryRun?: boolean;
  out?: string;
  deleteSynced?: boolean;
  maxRequestBytes: string;
  maxRetries?: string;
  timeout?: string;
  signals?: string;
  deadLetters?: boolean;
  resendDeadLetters?: boolean;
}

// cli-progress ships no type declarations; this is the slice of its API used here.
interface ProgressBar {
  start(total: number, value: number, payload?: object): void;
  update(value: number, payload?: object): void;
  stop(): void;
}
interface CliProgressModule {
  SingleBar: new (options: object, preset?: object) => ProgressBar;
  Presets: { shades_classic: object };
}
const cliProgress = createRequire(import.meta.url)('cli-progress') as CliProgressModule;

function usage(message: string): CliError {
  return new CliError(message, EXIT_USAGE);
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw usage(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function parseSignals(value: string | undefined): Signal[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of list)
    if (!(SIGNALS as readonly string[]).includes(s)) throw usage(`unknown signal "${s}"`);
  return list as Signal[];
}

/** Progress on stderr, only on a TTY, never with NO_COLOR or --json (progressAllowed). */
function progressReporter(enabled: boolean): { update(p: SyncProgress): void; stop(): void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format:
        'sync [{bar}] {percentage}% | {records} records | {sentMiB} MiB sent | {rate} rec/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let begun = false;
  return {
    update(p) {
      const payload = {
        records: p.records,
        sentMiB: (p.bytesSent / 1048576).toFixed(2),
        rate: Math.round(p.records / Math.max(0.001, (Date.now() - started) / 1000)),
      };
      if (!begun) {
        bar.start(Math.max(1, p.totalBytes), 0, payload);
        begun = true;
      }
      bar.update(Math.min(p.bytesRead, Math.max(1, p.totalBytes)), payload);
    },
    stop() {
      if (begun) bar.stop();
    },
  };
}

function printHuman(summary: SyncSummary): void {
  const t = summary.totals;
  const lines = [
    summary.message,
    `  read ${t.recordsRead} records, sent ${t.recordsSent} in ${t.requests} requests (${(t.bytesSent / 1024).toFixed(1)} KiB on the wire)` +
      (t.recordsFiltered ? `, ${t.recordsFiltered} not covered by consent` : '') +
      (t.retries ? `, ${t.retries} retries` : '') +
      (t.unusableResponses
        ? `, ${t.unusableResponses} ${t.unusableResponses === 1 ? 'answer' : 'answers'} not from an OTLP endpoint (not counted as sent)`
        : ''),
  ];
  for (const d of summary.destinations) {
    lines.push(
      `  ${d.name} (${d.urls.join(', ')}): ${d.complete ? 'up to date' : `incomplete: ${d.error ?? ''}`}`,
    );
  }
  if (summary.deadLetters.length) lines.push(`  dead letters: ${summary.deadLetters.join(', ')}`);
  if (summary.deletedSegments.length)
    lines.push(`  deleted ${summary.deletedSegments.length} fully synced segments`);
  process.stdout.write(lines.join('\n') + '\n');
}

/**
 * `spool sync`: ships the spool over OTLP/HTTP (consent → redaction → batching → retry →
 * cursors). Exit 0 when everything was sent, 1 when anything was not (no consent, partial
 * success, dead letters, endpoint unreachable, a redirect or a 2xx that is not an OTLP
 * response; stderr says which), 2 on usage errors.
 */
export async function syncCommand(options: SyncCliOptions): Promise<void> {
  const dir = spoolDirFrom(options);
  if (options.protocol !== 'http/json' && options.protocol !== 'http/protobuf') {
    throw usage(`--protocol must be http/json or http/protobuf, got "${options.protocol}"`);
  }
  const protocol = options.protocol as OtlpProtocol;
  let headers: Record<string, string>;
  try {
    headers = parseHeaderArgs(options.header);
  } catch (err) {
    throw usage((err as Error).message);
  }
  if (options.endpoint !== undefined && !isHttpUrl(options.endpoint)) {
    throw usage(`--endpoint must be an http:// or https:// URL, got "${options.endpoint}"`);
  }
  // --endpoint is a base URL; a per-signal URL is accepted for its signal; any other
  // path (/v1/trace, /api/traces) would be posted to with /v1/<signal> appended: explain.
  let signalEndpoint: { signal: Signal; url: string; base: string } | undefined;
  if (options.endpoint !== undefined) {
    const shape = endpointShape(options.endpoint);
    if (shape.kind === 'unsupported') throw usage(shape.explanation);
    if (shape.kind === 'signal') {
      signalEndpoint = { signal: shape.signal, url: options.endpoint, base: shape.base };
    }
  }
  if (options.dryRun && !options.out) throw usage('--dry-run needs --out FILE');
  if (options.out && !options.dryRun) throw usage('--out is only used with --dry-run');
  if (
    options.deleteSynced &&
    !options.dryRun &&
    !options.deadLetters &&
    !options.resendDeadLetters
  ) {
    await confirmDestructive(
      `delete the sealed segments in ${dir} that every destination has acknowledged?`,
      options,
    );
  }
  const maxRequestBytes = positiveInt(options.maxRequestBytes, '--max-request-bytes');
  const maxRetries = positiveInt(options.maxRetries, '--max-retries');
  const timeoutMs = positiveInt(options.timeout, '--timeout');
  let signals = parseSignals(options.signals);
  if (signalEndpoint && !options.resendDeadLetters) {
    const { signal, url, base } = signalEndpoint;
    if (signals && signals.some((s) => s !== signal)) {
      throw usage(
        `--endpoint ${url} is the full URL for ${signal} only (it ends in /v1/${signal}), ` +
          `but --signals asks for ${signals.join(',')}. Give the base URL ${base} to send every ` +
          `signal (sync appends /v1/traces, /v1/metrics, /v1/logs), or --signals ${signal}.`,
      );
    }
    signals = [signal];
  }
  const retry = {
    ...(maxRetries !== undefined ? { maxRetriesPerRun: maxRetries } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
  const log = options.json ? () => undefined : (m: string) => process.stderr.write(`spool: ${m}\n`);

  if (options.deadLetters) {
    const letters = listDeadLetters(dir);
    if (options.json) printJson({ dir, deadLetters: letters });
    else if (letters.length === 0) process.stdout.write('no dead letters\n');
    else
      for (const l of letters)
        process.stdout.write(
          `${l.id}  ${l.signal}  ${l.records} records  HTTP ${l.status}  ${l.url}  ${l.message}\n  ${l.file}\n`,
        );
    return;
  }

  if (options.resendDeadLetters) {
    // Dead letters of every signal may be resent: a per-signal URL stands for its base.
    const resendEndpoint = signalEndpoint ? signalEndpoint.base : options.endpoint;
    const result = await resendDeadLetters({
      dir,
      ...(resendEndpoint ? { endpoint: resendEndpoint } : {}),
      headers,
      protocol,
      retry,
      log,
    });
    if (options.json) printJson(result);
    else
      process.stdout.write(
        `resent ${result.resent} dead letters (${result.records} records); ${result.rejectedAgain} rejected again; ${result.kept} kept\n`,
      );
    if (result.consent !== 'granted')
      process.stderr.write('spool: nothing sent: upload consent is not granted\n');
    process.exitCode = result.kept === 0 && result.rejectedAgain === 0 ? EXIT_OK : EXIT_FAILURE;
    return;
  }

  const progress = progressReporter(progressAllowed(options));
  let summary: SyncSummary;
  const startedAt = Date.now();
  try {
    summary = await runSync({
      dir,
      ...(signalEndpoint
        ? { signalEndpoints: { [signalEndpoint.signal]: signalEndpoint.url } }
        : options.endpoint
          ? { endpoint: options.endpoint }
          : {}),
      headers,
      ...(options.name ? { name: options.name } : {}),
      protocol,
      ...(signals ? { signals } : {}),
      ...(maxRequestBytes ? { maxRequestBytes } : {}),
      retry,
      ...(options.dryRun ? { dryRunOut: options.out as string } : {}),
      deleteSynced: options.deleteSynced === true,
      log: (m) => {
        progress.stop();
        log(m);
      },
      onProgress: (p) => progress.update(p),
    });
  } catch (err) {
    progress.stop();
    if (err instanceof SyncLockedError) throw new CliError(err.message, EXIT_FAILURE);
    throw err;
  }
  progress.stop();
  // Sync health as self-metrics in the spool (Grafana's sync panel); a later sync ships them.
  await recordSyncMetrics(dir, summary, startedAt);
  if (options.json) printJson(summary);
  else if (summary.status !== 'no-consent') printHuman(summary);
  for (const w of summary.warnings) process.stderr.write(`spool: warning: ${w}\n`);
  if (summary.status !== 'ok') {
    process.stderr.write(`spool: sync ${summary.status}: ${summary.message}\n`);
    if (summary.status === 'no-consent')
      process.stderr.write(
        `spool: consent is per spool directory; to allow uploads from this one: spool consent grant --dir ${dir}\n`,
      );
    process.exitCode = EXIT_FAILURE;
  } else {
    process.exitCode = EXIT_OK;
  }
}
