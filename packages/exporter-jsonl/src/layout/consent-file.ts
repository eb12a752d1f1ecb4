/**
 * `<spool>/consent.json` (path: spool-layout.ts `consentPath`): the user's upload decision and
 * the per-install salt that anonymises identifiers. This module owns the file's format only;
 * granting, denying and purging are @otelspool/collector's (consent/consent.ts), which reads
 * the file with `readStateFileSync(path, { maxBytes: MAX_CONSENT_BYTES, secret: true })`.
 *
 * Fails closed: anything not exactly a version 1 file (another version, an unknown field,
 * signals other than 'all' / 'crashes', a wrong type) is "not understood", so an older
 * otelspool never acts on a newer one's file it cannot read.
 */

/** 'unknown': never decided (record locally, send nothing); 'granted'; 'denied'. */
export type ConsentState = 'unknown' | 'granted' | 'denied';
/** What a grant lets leave: everything, or crash records only. */
export type ConsentSignals = 'all' | 'crashes';

export interface ConsentFile {
  version: 1;
  state: ConsentState;
  /** Present on a grant. */
  signals?: ConsentSignals;
  /** ISO time of the decision. */
  updatedAt?: string;
  /** Per-install random salt (hex, ≥ 32 digits) for HMAC anonymisation; present on a grant. */
  salt?: string;
}

export const CONSENT_FILE_VERSION = 1;

/** consent.json is a few hundred bytes; the cap keeps /dev/zero-like files harmless. */
export const MAX_CONSENT_BYTES = 64 * 1024;

const STATES: ReadonlySet<string> = new Set<ConsentState>(['unknown', 'granted', 'denied']);
const SIGNALS: ReadonlySet<string> = new Set<ConsentSignals>(['all', 'crashes']);
const KEYS: ReadonlySet<string> = new Set<keyof ConsentFile>([
  'version',
  'state',
  'signals',
  'updatedAt',
  'salt',
]);
const SALT = /^[0-9a-f]{32,}$/;

export type ParsedConsentFile = { ok: true; file: ConsentFile } | { ok: false; reason: string };

/** The file's text as a version 1 consent file, or why it is not understood (one phrase). */
export function parseConsentFile(text: string): ParsedConsentFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'it is not valid JSON' };
  }
  const reason = notUnderstood(parsed);
  return reason === undefined ? { ok: true, file: parsed as ConsentFile } : { ok: false, reason };
}

/** Why a parsed value is not a consent file, or undefined when it is exactly version 1. */
function notUnderstood(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'it is not a JSON object';
  }
  const v = value as Record<string, unknown>;
  if (v.version !== CONSENT_FILE_VERSION)
    return `its version ${JSON.stringify(v.version) ?? 'is missing'} is not 1`;
  for (const key of Object.keys(v)) {
    if (!KEYS.has(key)) return `it has an unknown field ${JSON.stringify(key)}`;
  }
  if (typeof v.state !== 'string' || !STATES.has(v.state)) {
    return `its state ${JSON.stringify(v.state) ?? 'is missing'} is not granted, denied or unknown`;
  }
  if (v.signals !== undefined && (typeof v.signals !== 'string' || !SIGNALS.has(v.signals))) {
    return `its signals ${JSON.stringify(v.signals)} are not exactly "all" or "crashes"`;
  }
  if (v.state === 'granted' && v.signals === undefined) return 'a grant without signals';
  if (v.updatedAt !== undefined && typeof v.updatedAt !== 'string') {
    return 'its updatedAt is not a string';
  }
  if (v.salt !== undefined && (typeof v.salt !== 'string' || !SALT.test(v.salt))) {
    return 'its salt is not a hex string of at least 32 digits';
  }
  if (v.state === 'granted' && v.salt === undefined) return 'a grant without a salt';
  return undefined;
}

/** Consent file text: indented JSON (a person may read it) and a newline. */
export function serializeConsentFile(file: ConsentFile): string {
  return JSON.stringify(file, null, 2) + '\n';
}
