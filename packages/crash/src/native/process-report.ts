import { chmodSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureDirSync,
  processIsAlive,
  readJsonStateFileSync,
} from '@otelspool/exporter-jsonl/write-path';
import { isRecord } from '../internal/is-record.js';

/**
 * Node's diagnostic report (process.report) is the only thing that runs on fatal errors that
 * JavaScript cannot catch (heap OOM, V8/C++ aborts). Its defaults are unsafe for a crash
 * reporter: it writes to the cwd and includes environment variables and network interfaces.
 * We point it at the crash directory (0700), exclude what we can, and strip the rest when
 * ingesting.
 */
type ReportSettings = {
  reportOnFatalError: boolean;
  reportOnSignal: boolean;
  reportOnUncaughtException: boolean;
  directory: string;
  excludeEnv?: boolean;
  excludeNetwork?: boolean;
};

type ProcessReport = NonNullable<typeof process.report> & {
  excludeEnv?: boolean;
  excludeNetwork?: boolean;
};

function processReport(): ProcessReport | undefined {
  const report = (process as { report?: ProcessReport }).report;
  return report && typeof report === 'object' ? report : undefined;
}

/** Enables the fatal-error report into `crashDir`; returns a function restoring the previous settings. */
export function enableFatalErrorReport(crashDir: string): () => void {
  const report = processReport();
  if (!report) return () => {};
  let previous: ReportSettings;
  try {
    previous = {
      reportOnFatalError: report.reportOnFatalError,
      reportOnSignal: report.reportOnSignal,
      reportOnUncaughtException: report.reportOnUncaughtException,
      directory: report.directory,
      excludeEnv: report.excludeEnv,
      excludeNetwork: report.excludeNetwork,
    };
    ensureDirSync(crashDir);
    report.directory = crashDir;
    if ('excludeEnv' in report) report.excludeEnv = true;
    if ('excludeNetwork' in report) report.excludeNetwork = true;
    report.reportOnSignal = false;
    // Uncaught exceptions get our own, richer report; a second one from Node would duplicate it.
    report.reportOnUncaughtException = false;
    report.reportOnFatalError = true;
  } catch {
    return () => {};
  }
  return () => {
    try {
      report.reportOnFatalError = previous.reportOnFatalError;
      report.reportOnSignal = previous.reportOnSignal;
      report.reportOnUncaughtException = previous.reportOnUncaughtException;
      report.directory = previous.directory;
      if (previous.excludeEnv !== undefined) report.excludeEnv = previous.excludeEnv;
      if (previous.excludeNetwork !== undefined) report.excludeNetwork = previous.excludeNetwork;
    } catch {}
  };
}

/** The parts of a raw diagnostic report that we keep. Everything else is dropped unread. */
export interface NativeReportFacts {
  sourceFile: string;
  event: string;
  trigger: string;
  reportVersion?: number;
  pid: number;
  /** ISO-8601 UTC. */
  time: string;
  nodeVersion?: string;
  platform?: string;
  arch?: string;
  osName?: string;
  osRelease?: string;
  javascriptStack: { message: string; stack: string[] };
  nativeStack: string[];
  javascriptHeap?: { totalMemory?: number; usedMemory?: number; memoryLimit?: number };
  resourceUsage?: { rss?: number; userCpuSeconds?: number; kernelCpuSeconds?: number };
}

export const RAW_REPORT_FILE = /^report\..*\.json$/;
/** Node's default name: report.<YYYYMMDD>.<HHMMSS>.<pid>.<thread>.<seq>.json */
const RAW_REPORT_PID = /^report\.\d{8}\.\d{6}\.(\d+)\.\d+\.\d+\.json$/;

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/**
 * The report's time as ISO-8601. A finite number can still be outside the Date range (±8.64e15
 * ms), where toISOString() throws: a damaged or hostile report falls back to the text field,
 * then to now, instead of stopping the recovery of every previous session.
 */
function reportTime(stamp: number | undefined, text: unknown): string {
  const fromStamp = stamp !== undefined ? new Date(stamp) : undefined;
  if (fromStamp && !Number.isNaN(fromStamp.getTime())) return fromStamp.toISOString();
  const fromText = typeof text === 'string' ? new Date(text) : undefined;
  if (fromText && !Number.isNaN(fromText.getTime())) return fromText.toISOString();
  return new Date().toISOString();
}

/**
 * Extracts the safe facts of one raw report. Environment variables, command line, cwd, host
 * name, network interfaces, user limits and shared object paths are never copied.
 */
export function extractNativeReport(
  value: unknown,
  sourceFile: string,
): NativeReportFacts | undefined {
  if (!isRecord(value) || !isRecord(value.header)) return undefined;
  const h = value.header;
  const pid = num(h.processId);
  if (pid === undefined) return undefined;
  const time = reportTime(num(h.dumpEventTimeStamp), h.dumpEventTime);
  const js = isRecord(value.javascriptStack) ? value.javascriptStack : {};
  const jsStack = Array.isArray(js.stack)
    ? js.stack.filter((l): l is string => typeof l === 'string')
    : [];
  const nativeStack = Array.isArray(value.nativeStack)
    ? value.nativeStack
        .slice(0, 50)
        .map((f: unknown) => (isRecord(f) && typeof f.symbol === 'string' ? f.symbol.trim() : ''))
    : [];
  const heap = isRecord(value.javascriptHeap) ? value.javascriptHeap : undefined;
  const usage = isRecord(value.resourceUsage) ? value.resourceUsage : undefined;
  return {
    sourceFile,
    event: typeof h.event === 'string' ? h.event : 'fatal error',
    trigger: typeof h.trigger === 'string' ? h.trigger : 'FatalError',
    reportVersion: num(h.reportVersion),
    pid,
    time,
    nodeVersion: typeof h.nodejsVersion === 'string' ? h.nodejsVersion : undefined,
    platform: typeof h.platform === 'string' ? h.platform : undefined,
    arch: typeof h.arch === 'string' ? h.arch : undefined,
    osName: typeof h.osName === 'string' ? h.osName : undefined,
    osRelease: typeof h.osRelease === 'string' ? h.osRelease : undefined,
    javascriptStack: {
      message: typeof js.message === 'string' ? js.message : '',
      stack: jsStack.filter((l) => l !== 'Unavailable.').slice(0, 100),
    },
    nativeStack,
    javascriptHeap: heap
      ? {
          totalMemory: num(heap.totalMemory),
          usedMemory: num(heap.usedMemory),
          memoryLimit: num(heap.memoryLimit),
        }
      : undefined,
    resourceUsage: usage
      ? {
          rss: num(usage.rss),
          userCpuSeconds: num(usage.userCpuSeconds),
          kernelCpuSeconds: num(usage.kernelCpuSeconds),
        }
      : undefined,
  };
}

/**
 * Finds raw reports in the crash directory. Each is made owner-only (0600) the moment it is
 * seen, read, handed to `ingest`, and deleted once ingest returns true. A report that cannot
 * be parsed is deleted too (it can hold environment data we must not keep) and reported via
 * `onInvalid`.
 */
export function collectNativeReports(
  crashDir: string,
  ingest: (facts: NativeReportFacts) => boolean,
  onInvalid: (file: string, reason: string) => void = () => {},
): number {
  let names: string[];
  try {
    names = readdirSync(crashDir).filter((n) => RAW_REPORT_FILE.test(n));
  } catch {
    return 0;
  }
  let ingested = 0;
  for (const name of names.sort()) {
    const file = join(crashDir, name);
    try {
      chmodSync(file, 0o600);
    } catch {}
    // A process of the same spool may be writing its report right now (it is dying, not dead):
    // leave the file for a later start rather than read it half-written.
    const writer = RAW_REPORT_PID.exec(name);
    if (writer && processIsAlive(Number(writer[1]))) continue;
    const facts = extractNativeReport(
      readJsonStateFileSync(file, { maxBytes: 64 * 1024 * 1024 }),
      name,
    );
    if (!facts) {
      onInvalid(file, 'not a Node.js diagnostic report');
      removeQuietly(file);
      continue;
    }
    let done = false;
    try {
      done = ingest(facts);
    } catch {
      done = false;
    }
    if (done) {
      ingested++;
      removeQuietly(file);
    }
  }
  return ingested;
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {}
}
