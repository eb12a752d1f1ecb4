import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONSENT_FILE_VERSION,
  consentPath,
  ensureSpoolDirSync,
  MAX_CONSENT_BYTES,
  parseConsentFile,
  readStateFileSync,
  RECORDED_ENTRIES,
  serializeConsentFile,
  writeFileAtomicSync,
  type ConsentFile,
  type ConsentSignals,
  type ConsentState,
} from '@otelspool/exporter-jsonl/internal';

export type { ConsentSignals, ConsentState };

/**
 * The user's upload choice, stored in `<dir>/consent.json` (its format:
 * @otelspool/exporter-jsonl's layout/consent-file.ts). Local recording never depends on it;
 * every send path reads it again right before sending (consent can change mid-sync).
 *
 * - `unknown` (no file, unreadable file): record locally, send nothing.
 * - `granted`: send; `signals: 'all'` or `'crashes'` (FATAL logs and crash-related records only).
 * - `denied`: send nothing.
 *
 * Fails closed: a file that is not exactly understood (another version, unknown fields,
 * signals other than 'all'/'crashes', wrong types) or that another user could have written
 * (not this user's own 0600 regular file), or that is too large, reads as `unknown` with
 * `problem` saying why; its salt is not used either.
 */
export interface Consent {
  state: ConsentState;
  /** Only meaningful when granted. */
  signals: ConsentSignals;
  /** ISO time of the last change; undefined while unknown. */
  updatedAt?: string;
  /** Per-install random salt (hex) for HMAC anonymization; created on first write. */
  salt: string;
  /**
   * Set when consent.json exists but was not honoured: why (refused as unsafe, too large, or
   * not understood). Distinct from a missing file, which means consent was never given.
   */
  problem?: string;
  /** 'refused': the file could not be trusted or read; 'invalid': it was read but not understood. */
  problemKind?: 'refused' | 'invalid';
}

function newSalt(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Reads the consent file. Missing: `unknown` (never given). Refused (symlink, FIFO, device,
 * another user's file, group/other-accessible mode, over MAX_CONSENT_BYTES) or not understood:
 * `unknown` too, with `problem` saying why. Never throws, never blocks on a FIFO.
 */
export function readConsent(dir: string): Consent {
  const path = consentPath(dir);
  const read = readStateFileSync(path, { maxBytes: MAX_CONSENT_BYTES, secret: true });
  if (!read.ok) {
    if (read.reason === 'missing') return { state: 'unknown', signals: 'all', salt: '' };
    return {
      state: 'unknown',
      signals: 'all',
      salt: '',
      problem: `consent file refused: ${read.message}`,
      problemKind: 'refused',
    };
  }
  const parsed = parseConsentFile(read.data.toString('utf8'));
  if (!parsed.ok) {
    return {
      state: 'unknown',
      signals: 'all',
      salt: '',
      problem: `consent file not understood: ${path}: ${parsed.reason}; treated as no consent`,
      problemKind: 'invalid',
    };
  }
  const file = parsed.file;
  return {
    state: file.state,
    signals: file.signals ?? 'all',
    ...(typeof file.updatedAt === 'string' ? { updatedAt: file.updatedAt } : {}),
    salt: file.salt ?? '',
  };
}

/**
 * Why nothing may be sent, for messages: distinguishes a file that was refused or not
 * understood from consent never given and from a denial. Undefined when granted.
 */
export function describeConsentRefusal(consent: Consent): string | undefined {
  if (consent.state === 'granted') return undefined;
  if (consent.problem) return consent.problem;
  if (consent.state === 'denied')
    return 'the user denied upload (spool consent grant to change it)';
  return 'upload consent was never given (run `spool consent grant`)';
}

/**
 * The salt for anonymization, created (and persisted, state unchanged) when missing, so the
 * same install always hashes an identifier to the same value.
 */
export function ensureSalt(dir: string): string {
  const current = readConsent(dir);
  if (current.salt) return current.salt;
  const salt = newSalt();
  // A file we refused or did not understand is not ours to overwrite (it may be a newer
  // version's): this run hashes with a salt of its own. Nothing is sent without consent anyway.
  if (current.problem) return salt;
  write(dir, {
    version: CONSENT_FILE_VERSION,
    state: current.state,
    signals: current.signals,
    salt,
  });
  return salt;
}

function write(dir: string, file: ConsentFile): Consent {
  // Throws UnsafeSpoolPathError when the spool dir is a link or another user's (shared) dir.
  ensureSpoolDirSync(dir);
  writeFileAtomicSync(consentPath(dir), serializeConsentFile(file));
  return readConsent(dir);
}

export interface GrantOptions {
  /** 'all' (default) or 'crashes': only FATAL logs and crash-related records leave. */
  signals?: ConsentSignals;
}

export function grantConsent(dir: string, options: GrantOptions = {}): Consent {
  const salt = readConsent(dir).salt || newSalt();
  return write(dir, {
    version: CONSENT_FILE_VERSION,
    state: 'granted',
    signals: options.signals ?? 'all',
    updatedAt: new Date().toISOString(),
    salt,
  });
}

export interface DenyOptions {
  /** Also delete the local telemetry (signal folders, crashes, dead letters, cursors). */
  purge?: boolean;
}

/** Records `denied`. With `purge`, deletes the recorded data too (consent.json stays). */
export function denyConsent(dir: string, options: DenyOptions = {}): Consent {
  const salt = readConsent(dir).salt || newSalt();
  const consent = write(dir, {
    version: CONSENT_FILE_VERSION,
    state: 'denied',
    updatedAt: new Date().toISOString(),
    salt,
  });
  if (options.purge) purgeSpool(dir);
  return consent;
}

/** Withdraws a grant: same as deny (nothing is sent until granted again). */
export function revokeConsent(dir: string, options: DenyOptions = {}): Consent {
  return denyConsent(dir, options);
}

/** `--purge`: everything recorded (RECORDED_ENTRIES), never consent.json itself. */
function purgeSpool(dir: string): void {
  for (const entry of RECORDED_ENTRIES) rmSync(join(dir, entry), { recursive: true, force: true });
}

/** Whether anything may leave the machine now. */
export function consentAllowsSending(consent: Consent): boolean {
  return consent.state === 'granted';
}
