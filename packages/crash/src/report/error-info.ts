import { inspect } from 'node:util';
import type { TextScrubber } from '@otelspool/exporter-jsonl/write-path';
import { parseStack, type StackFrame } from './stack-frames.js';

/** An error as stored in a crash report: JSON-safe, scrubbed, bounded. */
export interface ErrorInfo {
  /** Constructor name / `name` (`TypeError`, `AggregateError`, ...); `typeof` for non-errors. */
  type: string;
  message: string;
  /** `code` of system and Node errors (`ENOENT`, `ERR_...`). */
  code?: string;
  /** The raw `stack` text, scrubbed. */
  stack?: string;
  frames: StackFrame[];
  /** The `cause` chain, one level per nested object. */
  cause?: ErrorInfo;
  /** `AggregateError#errors` members (first MAX_MEMBERS). */
  errors?: ErrorInfo[];
  /** This value was already described higher up in the same report (a cycle); nothing below is repeated. */
  circular?: true;
  /** Set when a depth or size bound cut something off. */
  truncated?: true;
}

const MAX_DEPTH = 8;
const MAX_MEMBERS = 20;
const MAX_MESSAGE = 8 * 1024;
const MAX_STACK = 64 * 1024;

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) + '…' : s;
}

function safeGet(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return undefined; // a throwing getter must not break the crash path
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return typeof value;
  const name = safeGet(value, 'name');
  if (typeof name === 'string' && name.length > 0 && name.length < 200) return name;
  try {
    const ctor = (value as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof ctor === 'string' && ctor.length > 0) return ctor;
  } catch {}
  return 'Object';
}

function nonErrorMessage(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return inspect(value, {
      depth: 2,
      breakLength: Infinity,
      maxArrayLength: 20,
      maxStringLength: 1000,
    });
  } catch {
    return '[uninspectable value]';
  }
}

/**
 * Describes any thrown value. Cycle-safe (a cause or aggregate member already seen becomes
 * `{ circular: true }`), depth-bounded, and tolerant of hostile objects (throwing getters,
 * proxies): describing an error must never throw on the crash path.
 */
export function describeError(value: unknown, scrub: TextScrubber, appRoot?: string): ErrorInfo {
  return describe(value, scrub, appRoot, new Set(), 0);
}

function describe(
  value: unknown,
  scrub: TextScrubber,
  appRoot: string | undefined,
  seen: Set<unknown>,
  depth: number,
): ErrorInfo {
  const isObject = typeof value === 'object' && value !== null;
  if (isObject && seen.has(value)) {
    return { type: typeName(value), message: '[circular]', frames: [], circular: true };
  }
  if (isObject) seen.add(value);
  if (!isObject || !(value instanceof Error || typeof safeGet(value, 'stack') === 'string')) {
    return {
      type: typeName(value),
      message: scrub(clip(nonErrorMessage(value), MAX_MESSAGE)),
      frames: [],
    };
  }
  const message = safeGet(value, 'message');
  const stack = safeGet(value, 'stack');
  const info: ErrorInfo = {
    type: typeName(value),
    message: scrub(
      clip(typeof message === 'string' ? message : nonErrorMessage(message), MAX_MESSAGE),
    ),
    frames: [],
  };
  const code = safeGet(value, 'code');
  if (typeof code === 'string' || typeof code === 'number') info.code = String(code);
  if (typeof stack === 'string') {
    info.stack = scrub(clip(stack, MAX_STACK));
    info.frames = parseStack(stack, scrub, appRoot);
  }
  if (depth >= MAX_DEPTH) {
    info.truncated = true;
    return info;
  }
  const cause = safeGet(value, 'cause');
  if (cause !== undefined) info.cause = describe(cause, scrub, appRoot, seen, depth + 1);
  const errors = safeGet(value, 'errors');
  if (Array.isArray(errors)) {
    info.errors = errors
      .slice(0, MAX_MEMBERS)
      .map((member: unknown) => describe(member, scrub, appRoot, seen, depth + 1));
    if (errors.length > MAX_MEMBERS) info.truncated = true;
  }
  return info;
}
