import type { TextScrubber } from '@otelspool/exporter-jsonl/write-path';
import {
  CRASH_REPORT_SCHEMA_VERSION,
  newCrashReportId,
  type CrashReport,
  type CrashReportSession,
  type ResourceAttributes,
} from '../report/crash-report.js';
import type { ErrorInfo } from '../report/error-info.js';
import { computeSignature } from '../report/signature.js';
import { parseStack } from '../report/stack-frames.js';
import type { Breadcrumb } from '../session/breadcrumbs.js';
import type { NativeReportFacts } from './process-report.js';

export interface NativeCrashContext {
  session: CrashReportSession;
  resource: ResourceAttributes;
  breadcrumbs: Breadcrumb[];
  appRoot?: string;
}

/** A crash report from a native fatal error (heap OOM, V8 abort) found in Node's diagnostic report. */
export function buildNativeCrashReport(
  facts: NativeReportFacts,
  ctx: NativeCrashContext,
  scrub: TextScrubber,
): CrashReport {
  const jsStack = facts.javascriptStack.stack.map((l) => scrub(l));
  const stackText =
    jsStack.length > 0
      ? `${facts.trigger}: ${facts.event}\n${jsStack.map((l) => `    ${l}`).join('\n')}`
      : undefined;
  const error: ErrorInfo = {
    type: facts.trigger,
    message: scrub(facts.event),
    frames: stackText ? parseStack(stackText, scrub, ctx.appRoot) : [],
  };
  if (stackText) error.stack = stackText;
  return {
    schemaVersion: CRASH_REPORT_SCHEMA_VERSION,
    id: newCrashReportId(),
    time: facts.time,
    origin: 'fatalError',
    fatal: true,
    signature: computeSignature(error),
    error,
    session: ctx.session,
    breadcrumbs: ctx.breadcrumbs,
    resource: ctx.resource,
    process: {
      pid: facts.pid,
      platform: facts.platform,
      arch: facts.arch,
      versions: facts.nodeVersion ? { node: facts.nodeVersion.replace(/^v/, '') } : {},
      memory:
        facts.resourceUsage?.rss !== undefined || facts.javascriptHeap
          ? {
              rss: facts.resourceUsage?.rss ?? 0,
              heapTotal: facts.javascriptHeap?.totalMemory ?? 0,
              heapUsed: facts.javascriptHeap?.usedMemory ?? 0,
              external: 0,
              arrayBuffers: 0,
            }
          : undefined,
    },
    native: {
      event: scrub(facts.event),
      trigger: facts.trigger,
      reportVersion: facts.reportVersion,
      nativeStack: facts.nativeStack.map((s) => scrub(s)).filter((s) => s.length > 0),
      javascriptHeap: facts.javascriptHeap,
      sourceFile: facts.sourceFile,
    },
  };
}
