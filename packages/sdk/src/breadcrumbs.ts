import type { LogRecordProcessor, SdkLogRecord } from '@opentelemetry/sdk-logs';
import type { CrashHandle } from '@otelspool/crash';

/** Longest breadcrumb message kept; crash reports stay small and readable. */
const MAX_MESSAGE = 256;

/**
 * Mirrors every log record and event into the crash handler's breadcrumb ring, so a crash
 * report shows what the app did just before it died. Cheap: one small object per record.
 */
export function breadcrumbProcessor(getCrash: () => CrashHandle | undefined): LogRecordProcessor {
  return {
    onEmit(record: SdkLogRecord): void {
      const crash = getCrash();
      if (!crash) return;
      try {
        const body = record.body;
        const message =
          typeof body === 'string' ? body : body === undefined ? '' : safeString(body);
        crash.addBreadcrumb({
          timestamp: new Date(hrTimeToMs(record.hrTime)).toISOString(),
          category: record.eventName ?? 'log',
          level: levelOf(record.severityNumber),
          message: message.slice(0, MAX_MESSAGE),
          data: primitiveAttributes(record.attributes),
        });
      } catch {
        // breadcrumbs are best effort
      }
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}

/** OTel severity numbers map onto breadcrumb levels in blocks of four (DEBUG 5-8, INFO 9-12...). */
function levelOf(severity: number | undefined): 'debug' | 'info' | 'warning' | 'error' | 'fatal' {
  if (severity === undefined || severity === 0) return 'info';
  if (severity <= 8) return 'debug';
  if (severity <= 12) return 'info';
  if (severity <= 16) return 'warning';
  if (severity <= 20) return 'error';
  return 'fatal';
}

function primitiveAttributes(
  attributes: Record<string, unknown>,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = value;
  }
  return out;
}

function hrTimeToMs([seconds, nanos]: [number, number]): number {
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
