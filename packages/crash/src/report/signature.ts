import { createHash } from 'node:crypto';
import type { ErrorInfo } from './error-info.js';
import type { StackFrame } from './stack-frames.js';

/**
 * Version of the grouping algorithm. Stored with every signature so that a future change of
 * the rules starts new groups instead of silently mixing old and new hashes.
 */
export const SIGNATURE_VERSION = 1;

/** How a crash report is grouped. */
export interface CrashSignature {
  /** 16 hex chars of SHA-256 over the version, type and normalised frames (or message). */
  id: string;
  version: number;
  /** The normalised parts that were hashed, so a reader can see why two crashes group. */
  parts: string[];
}

const FRAMES_IN_SIGNATURE = 5;

/** Volatile text (uuids, hex ids and addresses, paths, URLs, numbers, quoted values) → placeholders. */
export function normalizeMessage(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>')
    .replace(/(?:~|[A-Za-z]:)?(?:[\\/][^\s\\/'"`:]+){2,}[\\/]?/g, '<path>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\d+(?:\.\d+)?/g, '<n>')
    .replace(/(['"`])(?:(?!\1).){1,200}\1/g, '$1…$1')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** Module part of a frame's file: relative to the last node_modules or to the app, no extension noise. */
function normalizeFile(file: string | undefined): string {
  if (!file) return '';
  const unified = file.replace(/\\/g, '/');
  const nm = unified.lastIndexOf('/node_modules/');
  let rel = nm >= 0 ? unified.slice(nm + '/node_modules/'.length) : unified;
  // Keep the last two path components: stable across install locations and user names.
  const parts = rel.split('/').filter((p) => p.length > 0);
  rel = parts.slice(-2).join('/');
  // Content hashes in bundle names (`chunk-3f9a1c2b.js`) change per build.
  return rel.replace(/[.-][0-9a-f]{8,}(?=\.)/gi, '');
}

function normalizeFunction(fn: string | undefined): string {
  if (!fn) return '<anonymous>';
  return fn.replace(/^async /, '').replace(/\d+/g, '<n>');
}

function frameKey(frame: StackFrame): string {
  return `${normalizeFunction(frame.function)}@${normalizeFile(frame.file)}`;
}

/** The error the signature is about: the outermost error (its type and frames identify the crash site). */
export function computeSignature(error: ErrorInfo): CrashSignature {
  const inApp = error.frames.filter((f) => f.inApp);
  const chosen = (
    inApp.length > 0 ? inApp : error.frames.filter((f) => f.file && !f.file.startsWith('node:'))
  ).slice(0, FRAMES_IN_SIGNATURE);
  const parts = [`v${SIGNATURE_VERSION}`, error.type];
  if (chosen.length > 0) {
    for (const frame of chosen) parts.push(frameKey(frame));
  } else {
    parts.push(normalizeMessage(error.message));
  }
  const id = createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
  return { id, version: SIGNATURE_VERSION, parts: parts.slice(1) };
}
