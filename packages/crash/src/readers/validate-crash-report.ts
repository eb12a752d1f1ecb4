import { isRecord } from '../internal/is-record.js';
import type { Breadcrumb } from '../session/breadcrumbs.js';
import type {
  CrashOrigin,
  CrashReport,
  CrashReportSession,
  NativeFatalInfo,
  ResourceAttributes,
} from '../report/crash-report.js';
import type { ErrorInfo } from '../report/error-info.js';
import type { ProcessFacts } from '../report/process-facts.js';
import type { StackFrame } from '../report/stack-frames.js';
import { frameSourceFieldsOf } from '../report/stack-frames.js';

// A crash report file is untrusted input: another process, a damaged disk or a person may have
// written it. The validator does not cast: it rebuilds the report field by field, keeping only
// values of the declared type, so no consumer can meet an object where it formats a string
// (`{"toString": {}}` made `${frame.function}` throw; found by the reliability fuzzer).

const MAX_ERROR_DEPTH = 8;
const MAX_LIST = 1000;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

/** Sets `key` on `target` only when the value is present, so optional fields stay absent. */
function put<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}

function list<T>(v: unknown, item: (x: unknown) => T | undefined): T[] {
  if (!Array.isArray(v)) return [];
  const out: T[] = [];
  for (const x of v.slice(0, MAX_LIST)) {
    const y = item(x);
    if (y !== undefined) out.push(y);
  }
  return out;
}

function primitiveRecord(v: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (!isRecord(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string' || typeof x === 'boolean' || num(x) !== undefined)
      out[k] = x as string | number | boolean;
  }
  return out;
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function frameOf(v: unknown): StackFrame | undefined {
  if (!isRecord(v)) return undefined;
  const frame: StackFrame = { inApp: v.inApp === true, raw: str(v.raw) ?? '' };
  put(frame, 'function', str(v.function));
  put(frame, 'file', str(v.file));
  put(frame, 'line', num(v.line));
  put(frame, 'column', num(v.column));
  put(frame, 'async', bool(v.async));
  Object.assign(frame, frameSourceFieldsOf(v));
  return frame;
}

function errorOf(v: unknown, depth: number): ErrorInfo | undefined {
  if (!isRecord(v) || depth > MAX_ERROR_DEPTH) return undefined;
  const type = str(v.type);
  const message = str(v.message);
  if (type === undefined || message === undefined) return undefined;
  const error: ErrorInfo = { type, message, frames: list(v.frames, frameOf) };
  put(error, 'code', str(v.code));
  put(error, 'stack', str(v.stack));
  put(error, 'cause', errorOf(v.cause, depth + 1));
  if (Array.isArray(v.errors)) error.errors = list(v.errors, (x) => errorOf(x, depth + 1));
  if (v.circular === true) error.circular = true;
  if (v.truncated === true) error.truncated = true;
  return error;
}

const LEVELS = new Set(['debug', 'info', 'warning', 'error', 'fatal']);

function breadcrumbOf(v: unknown): Breadcrumb | undefined {
  if (!isRecord(v)) return undefined;
  const crumb: Breadcrumb = { message: str(v.message) ?? '' };
  put(crumb, 'timestamp', str(v.timestamp));
  put(crumb, 'category', str(v.category));
  if (typeof v.level === 'string' && LEVELS.has(v.level))
    crumb.level = v.level as Breadcrumb['level'];
  if (isRecord(v.data)) crumb.data = primitiveRecord(v.data);
  return crumb;
}

function sessionOf(v: Record<string, unknown>, id: string): CrashReportSession {
  const session: CrashReportSession = {
    id,
    installId: str(v.installId) ?? '',
    startedAt: str(v.startedAt) ?? '',
    launchCompleted: v.launchCompleted === true,
  };
  put(session, 'previousId', str(v.previousId));
  // appState is the app's own JSON value; consumers only ever JSON.stringify it.
  if ('appState' in v) session.appState = v.appState;
  return session;
}

function processOf(v: unknown): CrashReport['process'] {
  const p: CrashReport['process'] = { pid: 0 };
  if (!isRecord(v)) return p;
  p.pid = num(v.pid) ?? 0;
  put(p, 'ppid', num(v.ppid));
  put(p, 'platform', str(v.platform));
  put(p, 'arch', str(v.arch));
  put(p, 'uptimeSeconds', num(v.uptimeSeconds));
  if (isRecord(v.versions)) p.versions = stringRecord(v.versions);
  if (Array.isArray(v.execArgv)) p.execArgv = list(v.execArgv, str);
  if (isRecord(v.memory)) {
    const m = v.memory;
    p.memory = {
      rss: num(m.rss) ?? 0,
      heapTotal: num(m.heapTotal) ?? 0,
      heapUsed: num(m.heapUsed) ?? 0,
      external: num(m.external) ?? 0,
      arrayBuffers: num(m.arrayBuffers) ?? 0,
    };
  }
  if (isRecord(v.thread)) {
    const thread: ProcessFacts['thread'] = {
      isMainThread: v.thread.isMainThread === true,
      threadId: num(v.thread.threadId) ?? 0,
    };
    p.thread = thread;
  }
  return p;
}

function nativeOf(v: unknown): NativeFatalInfo | undefined {
  if (!isRecord(v)) return undefined;
  const native: NativeFatalInfo = {
    event: str(v.event) ?? '',
    trigger: str(v.trigger) ?? '',
    nativeStack: list(v.nativeStack, str),
    sourceFile: str(v.sourceFile) ?? '',
  };
  put(native, 'reportVersion', num(v.reportVersion));
  if (isRecord(v.javascriptHeap)) {
    const heap: NonNullable<NativeFatalInfo['javascriptHeap']> = {};
    put(heap, 'totalMemory', num(v.javascriptHeap.totalMemory));
    put(heap, 'usedMemory', num(v.javascriptHeap.usedMemory));
    put(heap, 'memoryLimit', num(v.javascriptHeap.memoryLimit));
    native.javascriptHeap = heap;
  }
  return native;
}

/** Checks an untrusted crash report and returns a copy holding only well-typed fields. */
export function validateCrashReport(
  value: unknown,
): { ok: true; report: CrashReport } | { ok: false; reason: string } {
  if (!isRecord(value)) return { ok: false, reason: 'not a JSON object' };
  const id = str(value.id);
  if (!id) return { ok: false, reason: 'missing id' };
  const time = str(value.time);
  if (time === undefined || Number.isNaN(Date.parse(time)))
    return { ok: false, reason: 'missing or invalid time' };
  const signature = value.signature;
  if (!isRecord(signature) || typeof signature.id !== 'string')
    return { ok: false, reason: 'missing signature' };
  const error = errorOf(value.error, 0);
  if (!error) return { ok: false, reason: 'missing error' };
  const session = value.session;
  if (!isRecord(session) || typeof session.id !== 'string')
    return { ok: false, reason: 'missing session' };
  const origin = str(value.origin);
  if (origin === undefined) return { ok: false, reason: 'missing origin' };

  const resource: ResourceAttributes = primitiveRecord(value.resource);
  const report: CrashReport = {
    schemaVersion: num(value.schemaVersion) ?? 0,
    id,
    time,
    // Unknown origins from newer writers are shown as written, never interpreted.
    origin: origin as CrashOrigin,
    fatal: true,
    signature: {
      id: signature.id,
      version: num(signature.version) ?? 0,
      parts: list(signature.parts, str),
    },
    error,
    session: sessionOf(session, session.id),
    breadcrumbs: list(value.breadcrumbs, breadcrumbOf),
    resource,
    process: processOf(value.process),
  };
  if (isRecord(value.trace)) {
    const traceId = str(value.trace.traceId);
    const spanId = str(value.trace.spanId);
    if (traceId !== undefined && spanId !== undefined) report.trace = { traceId, spanId };
  }
  if (isRecord(value.worker)) report.worker = { threadId: num(value.worker.threadId) ?? 0 };
  put(report, 'native', nativeOf(value.native));
  return { ok: true, report };
}
