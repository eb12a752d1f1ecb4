import { readConsent } from '../consent/consent.js';
import { acquireSyncLock } from '../cursors/lock.js';
import { OtlpHttpExporter } from '../exporters/otlp-http-exporter.js';
import type { OtlpProtocol } from '../otlp-http/config.js';
import { resolveDestinations } from '../otlp-http/config.js';
import { deleteDeadLetter, listDeadLetters, readDeadLetter } from '../otlp-http/dead-letters.js';
import type { RetryOptions } from '../otlp-http/retry.js';
import type { Signal } from '@otelspool/exporter-jsonl';

export interface ResendOptions {
  dir: string;
  /** Where to resend; default: the URL each dead letter was rejected by. */
  endpoint?: string;
  headers?: Record<string, string>;
  protocol?: OtlpProtocol;
  retry?: RetryOptions;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

export interface ResendSummary {
  resent: number;
  records: number;
  /** Rejected again (a fresh dead letter replaces the old one, with the new message). */
  rejectedAgain: number;
  /** Left in place because the server was unreachable or throttling. */
  kept: number;
  consent: string;
}

/**
 * `spool sync --resend-dead-letters`: sends every dead letter again (its stored request is
 * already redacted); success deletes it. Consent is required, as for any upload.
 */
export async function resendDeadLetters(options: ResendOptions): Promise<ResendSummary> {
  const consent = readConsent(options.dir);
  const letters = listDeadLetters(options.dir);
  const summary: ResendSummary = {
    resent: 0,
    records: 0,
    rejectedAgain: 0,
    kept: letters.length,
    consent: consent.state,
  };
  if (consent.state !== 'granted' || letters.length === 0) return summary;
  const lock = acquireSyncLock(options.dir);
  try {
    for (const entry of letters) {
      const letter = readDeadLetter(entry.file);
      if (!letter) continue;
      const signal: Signal = letter.signal;
      const destination = options.endpoint
        ? resolveDestinations([signal], {
            endpoint: options.endpoint,
            ...(options.headers ? { headers: options.headers } : {}),
            ...(options.env ? { env: options.env } : {}),
          })[signal]
        : {
            name: letter.destination,
            url: letter.url,
            headers: resolveDestinations([signal], {
              ...(options.headers ? { headers: options.headers } : {}),
              ...(options.env ? { env: options.env } : {}),
            })[signal].headers,
          };
      const exporter = new OtlpHttpExporter({
        dir: options.dir,
        destinations: { [signal]: destination },
        ...(options.protocol ? { protocol: options.protocol } : {}),
        ...(options.retry ? { retry: options.retry } : {}),
        ...(options.log ? { log: options.log } : {}),
      });
      const result = await exporter.export({
        signal,
        records: letter.records,
        items: [{ signal, data: letter.request, records: letter.records }],
      });
      if (result.status === 'retryable') break;
      deleteDeadLetter(entry.file);
      summary.kept--;
      if (result.status === 'success') {
        summary.resent++;
        summary.records += letter.records;
      } else {
        summary.rejectedAgain++;
      }
    }
  } finally {
    lock.release();
  }
  return summary;
}
