import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cursorKey,
  cursorPath,
  scanSegments,
  serializeCursor,
  shippedSegmentTest,
  syncDir,
  type CursorFile,
} from '../../src/internal.js';
import type { Signal } from '../../src/index.js';
import { makeTempDir, removeTempDir } from './helpers.js';

const DEAD_PID = 2147483646;
const NAME = `20000101T000000000Z_${DEAD_PID}_abcd_000001.jsonl`;
const TEXT = '{"a":1}\n';

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
  for (const signal of ['logs', 'traces'] as const) {
    mkdirSync(join(dir, signal), { recursive: true });
    writeFileSync(join(dir, signal, NAME), TEXT);
  }
  mkdirSync(syncDir(dir), { recursive: true });
});
afterEach(() => removeTempDir(dir));

function cursor(destination: string, signals: Signal[], mode = 0o600): void {
  const file: CursorFile = {
    version: 1,
    destination,
    urls: [],
    signals,
    updatedAt: new Date().toISOString(),
    segments: { [cursorKey('logs', NAME)]: TEXT.length, [cursorKey('traces', NAME)]: TEXT.length },
  };
  const path = cursorPath(dir, destination);
  writeFileSync(path, serializeCursor(file), { mode });
  chmodSync(path, mode);
}

function shipped(): Record<string, boolean> {
  const test = shippedSegmentTest(dir);
  const out: Record<string, boolean> = {};
  for (const s of scanSegments(dir)) out[s.signal] = test(s);
  return out;
}

describe('shippedSegmentTest', () => {
  it('nothing is shipped without cursors', () => {
    expect(shipped()).toEqual({ logs: false, traces: false });
  });

  it('a cursor without signals receives every signal', () => {
    cursor('all', []);
    expect(shipped()).toEqual({ logs: true, traces: true });
  });

  it('only the destinations receiving a signal must acknowledge it', () => {
    cursor('logs-only', ['logs']);
    expect(shipped()).toEqual({ logs: true, traces: false });
  });

  it('ignores a cursor that group or others may write', () => {
    cursor('planted', [], 0o666);
    expect(shipped()).toEqual({ logs: false, traces: false });
  });
});
