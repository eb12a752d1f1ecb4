import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDirSync, writeFileAtomicSync } from '@otelspool/exporter-jsonl';

/**
 * The user's upload choice, stored in `<dir>/consent.json`. Local recording never depends on
 * it; every send path reads it again right before sending (consent can change mid-sync).
 *
 * - `unknown` (no file, unreadable file): record locally, send nothing.
 * - `granted`: send; `signals: 'all'` or `'crashes'` (FATAL logs and crash-related records only).
 * - `denied`: send nothing.
 */
export type ConsentState = 'unknown' | 'granted' | 'denied';
export type ConsentSignals = 'all' | 'crashes';

export interface Consent {
  state: ConsentState;
  /** Only meaningful when granted. */
  signals: ConsentSignals;
  /** ISO time of the last change; undefined while unknown. */
  updatedAt?: string;
  /** Per-install random salt (hex) for HMAC anonymization; created on first write. */
  salt: string;
}

export const CONSENT_FILE = 'consent.json';

interface ConsentFile {
  version: 1;
  state: ConsentState;
  signals?: ConsentSignals;
  updatedAt?: string;
  salt: string;
}

function newSalt(): string {
  return randomBytes(32).toString('hex');
}

function consentPath(dir: string): string {
  return join(dir, CONSENT_FILE);
}

/** Reads the consent file; a missing or malformed file reads as `unknown` (fail closed). */
export function readConsent(dir: string): Consent {
  let parsed: Partial<ConsentFile> | undefined;
  try {
    parsed = JSON.parse(readFileSync(consentPath(dir), 'utf8')) as Partial<ConsentFile>;
  } catch {
    parsed = undefined;
  }
  const salt =
    typeof parsed?.salt === 'string' && /^[0-9a-f]{32,}$/.test(parsed.salt) ? parsed.salt : '';
  const state: ConsentState =
    parsed?.state === 'granted' || parsed?.state === 'denied' ? parsed.state : 'unknown';
  const signals: ConsentSignals = parsed?.signals === 'crashes' ? 'crashes' : 'all';
  return {
    state: salt === '' && state === 'granted' ? 'unknown' : state,
    signals,
    ...(typeof parsed?.updatedAt === 'string' ? { updatedAt: parsed.updatedAt } : {}),
    salt,
  };
}

/**
 * The salt for anonymization, created (and persisted, state unchanged) when missing, so the
 * same install always hashes an identifier to the same value.
 */
export function ensureSalt(dir: string): string {
  const current = readConsent(dir);
  if (current.salt) return current.salt;
  const salt = newSalt();
  write(dir, { version: 1, state: current.state, signals: current.signals, salt });
  return salt;
}

function write(dir: string, file: ConsentFile): Consent {
  ensureDirSync(dir);
  writeFileAtomicSync(consentPath(dir), JSON.stringify(file, null, 2) + '\n');
  return readConsent(dir);
}

export interface GrantOptions {
  /** 'all' (default) or 'crashes': only FATAL logs and crash-related records leave. */
  signals?: ConsentSignals;
}

export function grantConsent(dir: string, options: GrantOptions = {}): Consent {
  const salt = readConsent(dir).salt || newSalt();
  return write(dir, {
    version: 1,
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
    version: 1,
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

/** The folders `--purge` removes: everything recorded, never consent.json itself. */
export const PURGED_ENTRIES = [
  'traces',
  'metrics',
  'logs',
  'crashes',
  'session',
  'quarantine',
  'dead-letter',
  'sync',
  'metrics_snapshot.json',
] as const;

function purgeSpool(dir: string): void {
  for (const entry of PURGED_ENTRIES) rmSync(join(dir, entry), { recursive: true, force: true });
}

/** Whether anything may leave the machine now. */
export function consentAllowsSending(consent: Consent): boolean {
  return consent.state === 'granted';
}
