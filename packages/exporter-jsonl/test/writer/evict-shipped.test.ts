import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpoolWriter } from '../../src/index.js';
import { lineOf, makeTempDir, removeTempDir } from './helpers.js';

// A pid no process has (Linux pid_max is at most 2^22): these segments are sealed.
const DEAD_PID = 2147483646;
const segmentName = (second: number) =>
  `20000101T00000${second}000Z_${DEAD_PID}_abcd_00000${second}.jsonl`;

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
  mkdirSync(join(dir, 'logs'), { recursive: true });
});
afterEach(() => removeTempDir(dir));

/** Three sealed segments, oldest first: A (400 B), B (400 B), C (gzip of 400 B, ~40 B). */
function seed(): { a: string; b: string; c: string; text: string } {
  const text = lineOf(0, 399) + '\n';
  const a = join(dir, 'logs', segmentName(0));
  const b = join(dir, 'logs', segmentName(1));
  const c = join(dir, 'logs', segmentName(2) + '.gz');
  writeFileSync(a, text);
  writeFileSync(b, text);
  writeFileSync(c, gzipSync(text));
  return { a, b, c, text };
}

function writeCursor(segments: Record<string, number>): void {
  mkdirSync(join(dir, 'sync'), { recursive: true });
  const cursor = { version: 1, destination: 'collector', signals: ['logs'], segments };
  // 0600 like the cursors `spool sync` writes: a cursor others could write is not trusted.
  writeFileSync(join(dir, 'sync', 'collector.json'), JSON.stringify(cursor), { mode: 0o600 });
}

describe('SpoolWriter byte cap', () => {
  it('evicts segments every sync destination acknowledged before older unshipped ones', async () => {
    const { a, b, c, text } = seed();
    const size = Buffer.byteLength(text);
    writeCursor({ [`logs/${segmentName(1)}`]: size, [`logs/${segmentName(2)}`]: size });
    const writer = new SpoolWriter({ dir, maxSpoolBytes: 1000 });
    writer.append('logs', lineOf(1, 299), 1);
    await writer.shutdown();
    expect(existsSync(a)).toBe(true); // oldest, but never shipped: kept
    expect(existsSync(b)).toBe(false); // shipped: the first to go
    expect(existsSync(c)).toBe(true); // shipped too, but newer and not needed
    expect(writer.stats().evicted).toMatchObject({ segments: 1, shipped: 1 });
    expect(writer.stats().written.records).toBe(1);
  });

  it('treats a partly acknowledged segment as unshipped and falls back to oldest first', async () => {
    const { a, b, text } = seed();
    writeCursor({ [`logs/${segmentName(1)}`]: Buffer.byteLength(text) - 1 });
    const writer = new SpoolWriter({ dir, maxSpoolBytes: 1000 });
    writer.append('logs', lineOf(1, 299), 1);
    await writer.shutdown();
    expect(existsSync(a)).toBe(false);
    expect(existsSync(b)).toBe(true);
    expect(writer.stats().evicted).toMatchObject({ segments: 1, shipped: 0 });
  });

  it('reads compressed segments as shipped through their gzip size trailer', async () => {
    const { a, b, c, text } = seed();
    writeCursor({ [`logs/${segmentName(2)}`]: Buffer.byteLength(text) });
    // Exactly room for A, B and the new 300-byte line: only C has to go.
    const writer = new SpoolWriter({ dir, maxSpoolBytes: 2 * Buffer.byteLength(text) + 301 });
    writer.append('logs', lineOf(1, 299), 1);
    await writer.shutdown();
    expect(existsSync(c)).toBe(false);
    expect(existsSync(a) && existsSync(b)).toBe(true);
  });

  it('ignores a corrupt checkpoint file (nothing counts as shipped)', async () => {
    const { a } = seed();
    mkdirSync(join(dir, 'sync'), { recursive: true });
    writeFileSync(join(dir, 'sync', 'broken.json'), '{"segments": ');
    const writer = new SpoolWriter({ dir, maxSpoolBytes: 1000 });
    writer.append('logs', lineOf(1, 299), 1);
    await writer.shutdown();
    expect(existsSync(a)).toBe(false);
    expect(writer.stats().evicted.shipped).toBe(0);
  });
});
