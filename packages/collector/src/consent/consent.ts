import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureSpoolDirSync,
  readStateFileSync,
  writeFileAtomicSync,
} from '@otelspool/exporter-jsonl';

/**
 * The user's upload choice, stored in `<dir>/consent.json`. Local recording never depends on
 * it; every send path reads it again right before sending (consent can change mid-sync).
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
  /**
   * Set when consent.json exists but was not honoured: why (refused as unsafe, too large, or
   * not understood). Distinct from a missing file, which means consent was never given.
   */
  problem?: string;
  /** 'refused': the file could not be trusted or read; 'invalid': it was read but not understood. */
  problemKind?: 'refused' | 'invalid';
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

/** consent.json is a few hundred bytes; the cap keeps /dev/zero-like files harmless. */
export const MAX_CONSENT_BYTES = 64 * 1024;

const STATES = new Set<string>(['unknown', 'granted', 'denied']);
const SIGNALS = new Set<string>(['all', 'crashes']);
const KEYS = new Set<string>(['version', 'state', 'signals', 'updatedAt', 'salt']);
const SALT = /^[0-9a-f]{32,}$/;

/** Why a parsed consent file is not understood, or undefined when it is exactly version 1. */
function notUnderstood(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'it is not a JSON object';
  }
  const v = value as Record<string, unknown>;
  if (v.version !== 1) return `its version ${JSON.stringify(v.version) ?? 'is missing'} is not 1`;
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
  let parsed: unknown;
  let why: string | undefined;
  try {
    parsed = JSON.parse(read.data.toString('utf8')) as unknown;
    why = notUnderstood(parsed);
  } catch {
    why = 'it is not valid JSON';
  }
  if (why !== undefined) {
    return {
      state: 'unknown',
      signals: 'all',
      salt: '',
      problem: `consent file not understood: ${path}: ${why}; treated as no consent`,
      problemKind: 'invalid',
    };
  }
  const file = parsed as ConsentFile;
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
  write(dir, { version: 1, state: current.state, signals: current.signals, salt });
  return salt;
}

function write(dir: string, file: ConsentFile): Consent {
  // Throws UnsafeSpoolPathError when the spool dir is a link or another user's (shared) dir.
  ensureSpoolDirSync(dir);
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
