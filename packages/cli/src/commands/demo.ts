import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  attributeText,
  forEachLogRecord,
  forEachMetric,
  forEachSpan,
  readSpool,
  resolveSpoolDir,
  SIGNALS,
  type LogsData,
  type MetricsData,
  type Resource,
  type Signal,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import { CliError, EXIT_FAILURE, EXIT_USAGE, printJson } from '../output/index.js';
import { DEMO_SERVICE } from '../demo/service.js';

/**
 * The sample plugin host, shipped in this package (src/demo/host.ts, built to dist/demo/host.js).
 * The path goes through the package root so it is the same from src/commands and dist/commands.
 */
const HOST_SCRIPT = fileURLToPath(new URL('../../dist/demo/host.js', import.meta.url));

export interface DemoOptions {
  dir?: string;
  service?: string;
  duration: string;
  crash?: boolean;
  json?: boolean;
}

interface HostOutput {
  blocks: number;
  underruns: number;
  sessionId: string;
  safeMode: boolean;
  previous: { crashed: boolean; abnormal: boolean; consecutiveLaunchCrashes: number };
}

/** `spool demo` (options: program.ts). */
export async function demoCommand(opts: DemoOptions): Promise<void> {
  const seconds = Number(opts.duration);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new CliError(
      `--duration must be a number of seconds in (0, 3600], got "${opts.duration}"`,
      EXIT_USAGE,
    );
  }
  if (!existsSync(HOST_SCRIPT)) {
    throw new CliError(
      `the sample plugin host was not found at ${HOST_SCRIPT}; this @otelspool/cli install is incomplete (from a clone, run npm run build first)`,
    );
  }
  // Where the demo's own startTelemetry({ serviceName }) would write: the shared rule.
  const dir = resolve(
    resolveSpoolDir({ dir: opts.dir, serviceName: opts.service ?? DEMO_SERVICE }),
  );
  process.stderr.write(`spool: using ${dir}\n`);
  const args = [HOST_SCRIPT, '--dir', dir, '--duration', String(seconds)];
  if (opts.crash) args.push('--crash');
  if (!opts.json)
    process.stderr.write(
      `spool demo: running the sample plugin host for ${seconds}s into ${dir}\n`,
    );
  const run = await runHost(args, opts.json === true);
  const counts = await countSessionRecords(dir, run.output?.sessionId);
  const summary = {
    dir,
    exitCode: run.code,
    signal: run.signal,
    crashed: opts.crash === true && run.code !== 0,
    sessionId: run.output?.sessionId,
    blocks: run.output?.blocks,
    underruns: run.output?.underruns,
    previousSession: run.output?.previous,
    records: counts,
  };
  if (opts.json) {
    printJson(summary);
  } else {
    printSummary(summary, opts.crash === true);
  }
  // A crash requested with --crash is the demo working, not the command failing.
  if (run.code !== 0 && !opts.crash) process.exitCode = EXIT_FAILURE;
}

function runHost(
  args: string[],
  quiet: boolean,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output?: HostOutput }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'],
    });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.resume();
    child.on('error', reject);
    child.on('close', (code, signal) => {
      // The host prints one JSON object per line: `started` (session id) and, unless it
      // crashed, `finished` (summary).
      const messages = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Partial<HostOutput> & { event?: string }];
          } catch {
            return [];
          }
        });
      const started = messages.find((m) => m.event === 'started');
      const finished = messages.find((m) => m.event === 'finished') as HostOutput | undefined;
      const output =
        finished ??
        (started?.sessionId ? ({ sessionId: started.sessionId } as HostOutput) : undefined);
      resolvePromise({ code, signal, output });
    });
  });
}

/** Counts what the run wrote, through the one spool reader (records of this session only). */
async function countSessionRecords(
  dir: string,
  sessionId: string | undefined,
): Promise<Record<Signal, number>> {
  const counts: Record<Signal, number> = { traces: 0, metrics: 0, logs: 0 };
  const inSession = (resource: Resource | undefined): boolean =>
    !sessionId || attributeText(resource?.attributes, 'session.id') === sessionId;
  for await (const record of readSpool(dir, { signals: [...SIGNALS] })) {
    // Spans, metrics (not their data points) and log records, as the demo summary names them.
    if (record.signal === 'traces') {
      forEachSpan(record.data as TracesData, (_span, _ss, rs) => {
        if (inSession(rs.resource)) counts.traces++;
      });
    } else if (record.signal === 'metrics') {
      forEachMetric(record.data as MetricsData, (_metric, _sm, rm) => {
        if (inSession(rm.resource)) counts.metrics++;
      });
    } else {
      forEachLogRecord(record.data as LogsData, (_record, _sl, rl) => {
        if (inSession(rl.resource)) counts.logs++;
      });
    }
  }
  return counts;
}

function printSummary(
  s: {
    dir: string;
    exitCode: number | null;
    crashed: boolean;
    sessionId?: string;
    blocks?: number;
    underruns?: number;
    previousSession?: HostOutput['previous'];
    records: Record<Signal, number>;
  },
  askedToCrash: boolean,
): void {
  const out: string[] = [];
  if (s.previousSession?.crashed)
    out.push('The previous demo session crashed (reported by this run at start-up).');
  else if (s.previousSession?.abnormal) out.push('The previous demo session ended abnormally.');
  out.push(`Wrote telemetry to ${s.dir}`);
  out.push(`  session     ${s.sessionId ?? '(unknown)'}`);
  if (s.blocks !== undefined)
    out.push(`  audio       ${s.blocks} blocks, ${s.underruns ?? 0} buffer underruns`);
  out.push(
    `  records     ${s.records.traces} spans, ${s.records.metrics} metrics, ${s.records.logs} log records`,
  );
  if (askedToCrash) {
    out.push(
      s.crashed
        ? `  crash       the host crashed as asked (exit code ${s.exitCode}); see: spool crashes --dir ${s.dir}`
        : '  crash       the host was asked to crash but exited normally',
    );
  }
  out.push(`Next: spool report --dir ${s.dir}`);
  process.stdout.write(out.join('\n') + '\n');
}
