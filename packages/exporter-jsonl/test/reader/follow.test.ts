import { appendFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSpool, type SpoolRecord } from '../../src/index.js';
import {
  quarantined,
  removeSpool,
  segmentName,
  spanName,
  tempSpool,
  traceLine,
  writeSegment,
} from './helpers.js';

let dir: string;
let controller: AbortController;
beforeEach(() => {
  dir = tempSpool();
  controller = new AbortController();
});
afterEach(() => {
  controller.abort();
  removeSpool(dir);
});

/** Runs a follow-mode reader in the background, collecting what it yields. */
function follow(): { records: SpoolRecord[]; done: Promise<void> } {
  const records: SpoolRecord[] = [];
  const done = (async () => {
    for await (const record of readSpool(dir, {
      follow: true,
      signal: controller.signal,
      pollIntervalMs: 50,
    })) {
      records.push(record);
    }
  })();
  return { records, done };
}

/** Waits (bounded, not a timing assertion) until `condition` holds. */
async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('readSpool follow mode', () => {
  it('picks up appended lines, a new segment and a new signal directory, then ends on abort', async () => {
    const first = writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n`);
    const { records, done } = follow();
    await until(() => records.length === 1, 'the existing line');
    appendFileSync(first, `${traceLine(1)}\n${traceLine(2)}\n`);
    await until(() => records.length === 3, 'the appended lines');
    writeSegment(dir, 'traces', segmentName(2), `${traceLine(3)}\n`);
    await until(() => records.length === 4, 'the new segment');
    writeSegment(dir, 'logs', segmentName(1), '{"resourceLogs":[]}\n');
    await until(() => records.length === 5, 'the new signal directory');
    controller.abort();
    await done;
    expect(records.map((r) => [r.signal, r.segment, r.line])).toEqual([
      ['traces', segmentName(1), 1],
      ['traces', segmentName(1), 2],
      ['traces', segmentName(1), 3],
      ['traces', segmentName(2), 1],
      ['logs', segmentName(1), 1],
    ]);
  });

  it('starts on a missing spool directory and reads it once it appears', async () => {
    rmSync(dir, { recursive: true, force: true });
    const { records, done } = follow();
    await new Promise((r) => setTimeout(r, 100));
    writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n`);
    await until(() => records.length === 1, 'the first segment');
    controller.abort();
    await done;
    expect(records.map(spanName)).toEqual(['span-0']);
  });

  it('waits for a torn line to be completed and delivers it once, not quarantined', async () => {
    const line = traceLine(1);
    const file = writeSegment(
      dir,
      'traces',
      segmentName(1),
      `${traceLine(0)}\n${line.slice(0, 30)}`,
    );
    const { records, done } = follow();
    await until(() => records.length === 1, 'the complete line');
    appendFileSync(file, line.slice(30, 60));
    appendFileSync(file, `${line.slice(60)}\n${traceLine(2)}\n`);
    await until(() => records.length === 3, 'the completed line');
    controller.abort();
    await done;
    expect(records.map((r) => [spanName(r), r.line])).toEqual([
      ['span-0', 1],
      ['span-1', 2],
      ['span-2', 3],
    ]);
    expect(quarantined(dir)).toEqual([]);
  });

  it('continues in the .gz when a followed segment is compressed, without duplicates', async () => {
    const plain = writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n${traceLine(1)}\n`);
    const { records, done } = follow();
    await until(() => records.length === 2, 'the plain lines');
    // What the writer does on seal: append, gzip to a temp name, rename, delete the plain file.
    appendFileSync(plain, `${traceLine(2)}\n`);
    const all = `${traceLine(0)}\n${traceLine(1)}\n${traceLine(2)}\n${traceLine(3)}\n`;
    writeFileSync(`${plain}.gz.tmp`, gzipSync(all));
    renameSync(`${plain}.gz.tmp`, `${plain}.gz`);
    rmSync(plain);
    await until(() => records.length === 4, 'the rest of the compressed segment');
    writeSegment(dir, 'traces', segmentName(2), `${traceLine(4)}\n`);
    await until(() => records.length === 5, 'the next segment');
    controller.abort();
    await done;
    expect(records.map((r) => [spanName(r), r.segment, r.line])).toEqual([
      ['span-0', segmentName(1), 1],
      ['span-1', segmentName(1), 2],
      ['span-2', segmentName(1), 3],
      ['span-3', segmentName(1), 4],
      ['span-4', segmentName(2), 1],
    ]);
    expect(records[3]!.file).toBe(`${plain}.gz`);
    expect(quarantined(dir)).toEqual([]);
  });

  it('survives segments being deleted while it follows', async () => {
    const old = writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n`);
    const { records, done } = follow();
    await until(() => records.length === 1, 'the first line');
    rmSync(old);
    writeSegment(dir, 'traces', segmentName(2), `${traceLine(1)}\n`);
    await until(() => records.length === 2, 'the line after the deletion');
    controller.abort();
    await done;
    expect(records.map(spanName)).toEqual(['span-0', 'span-1']);
  });

  it('quarantines a bad line appended while following and keeps going', async () => {
    const file = writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n`);
    const { records, done } = follow();
    await until(() => records.length === 1, 'the first line');
    appendFileSync(file, `garbage\n${traceLine(1)}\n`);
    await until(() => records.length === 2, 'the line after the garbage');
    controller.abort();
    await done;
    expect(quarantined(dir)).toMatchObject([{ line: 2, raw: 'garbage' }]);
  });

  it('re-reads a segment that was truncated and rewritten (tail -F semantics)', async () => {
    const file = writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n${traceLine(1)}\n`);
    const { records, done } = follow();
    await until(() => records.length === 2, 'the original lines');
    writeFileSync(file, `${traceLine(7)}\n`);
    await until(() => records.length === 3, 'the rewritten line');
    controller.abort();
    await done;
    expect(records.map((r) => [spanName(r), r.line])).toEqual([
      ['span-0', 1],
      ['span-1', 2],
      ['span-7', 1],
    ]);
  });

  it('stops watching when the consumer breaks out of the loop', async () => {
    writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n${traceLine(1)}\n`);
    const seen: string[] = [];
    for await (const record of readSpool(dir, { follow: true, pollIntervalMs: 50 })) {
      seen.push(spanName(record) ?? '');
      if (seen.length === 1) break;
    }
    expect(seen).toEqual(['span-0']);
  });
});
