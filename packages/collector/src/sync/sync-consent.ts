import { readConsent, type Consent } from '../consent/consent.js';
import type { ExportResult, Exporter, ItemBatch } from '../pipeline/types.js';

// Consent during a sync: the gate (which records pass) and the check before each request
// (a revoke mid-sync stops sending at once).

/** Consent is re-read at most this often while sending (and before every request). */
const CONSENT_TTL_MS = 250;

function cachedConsent(dir: string): () => Consent {
  let at = 0;
  let value: Consent = readConsent(dir);
  return () => {
    const now = Date.now();
    if (now - at > CONSENT_TTL_MS) {
      value = readConsent(dir);
      at = now;
    }
    return value;
  };
}

/**
 * What the consent gate sees: the spool's consent, re-read as it changes; for a dry run a
 * grant of what would be sent (all signals unless the consent is crashes-only), so the
 * preview applies the same gate.
 */
export function gateConsent(dir: string, consent: Consent, dryRun: boolean): () => Consent {
  if (!dryRun) return cachedConsent(dir);
  return () => ({
    ...consent,
    state: 'granted',
    signals: consent.state === 'granted' ? consent.signals : 'all',
  });
}

/** Checks consent right before each request: a revoke mid-sync stops sending at once. */
export class ConsentCheckedExporter implements Exporter {
  readonly name: string;
  constructor(
    private readonly inner: Exporter,
    private readonly dir: string,
  ) {
    this.name = inner.name;
  }
  async export(batch: ItemBatch): Promise<ExportResult> {
    if (batch.records > 0 && readConsent(this.dir).state !== 'granted') {
      return { status: 'retryable', message: 'consent was withdrawn during the sync' };
    }
    return this.inner.export(batch);
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown?.() ?? Promise.resolve();
  }
}
