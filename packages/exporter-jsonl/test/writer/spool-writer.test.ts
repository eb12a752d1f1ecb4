import { statSync, writeFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpoolWriter } from '../../src/index.js';
import { parseSegmentName } from '../../src/internal.js';
import {
  lineOf,
  makeTempDir,
  removeTempDir,
  segmentFiles,
  segmentLines,
  sleep,
} from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => {
  removeTempDir(dir);
});

describe('SpoolWriter', () => {
  it('writes whole lines into an owner-only segment named <utc>_<pid>_<rand>_<seq>.jsonl', async () => {
    const previous = process.umask(0o000);
    try {
      const writer = new SpoolWriter({ dir: join(dir, 'spool'), durability: 'batch' });
      expect(writer.append('logs', lineOf(1), 1)).toBe(true);
      expect(writer.append('logs', lineOf(2), 1)).toBe(true);
      await writer.flush();
      const [name] = segmentFiles(join(dir, 'spool'));
      expect(name).toMatch(/^\d{8}T\d{9}Z_\d+_[0-9a-f]{4}_\d{6}\.jsonl$/);
      const parsed = parseSegmentName(name!)!;
      expect(parsed.pid).toBe(process.pid);
      expect(statSync(join(dir, 'spool', 'logs', name!)).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'spool', 'logs')).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'spool')).mode & 0o777).toBe(0o700);
      expect(segmentLines(join(dir, 'spool')).map((l) => JSON.parse(l).id)).toEqual([1, 2]);
      expect(writer.stats().written).toEqual({ records: 2, lines: 2, bytes: 2 * 101 });
      await writer.shutdown();
    } finally {
      process.umask(previous);
    }
  });

  it('keeps a line one line even when it holds raw newlines (JSON whitespace)', async () => {
    const writer = new SpoolWriter({ dir });
    writer.append('traces', '{"a":\n1,\r\n"b":"x"}', 1);
    await writer.shutdown();
    expect(segmentLines(dir, 'traces').map((l) => JSON.parse(l))).toEqual([{ a: 1, b: 'x' }]);
  });

  it('takes a line as bytes too: written as given, raw CR/LF made spaces, the caller’s bytes untouched', async () => {
    const writer = new SpoolWriter({ dir });
    const bytes = Buffer.from('{"a":\n1,\r\n"s":"ünï✓"}', 'utf8');
    const before = Buffer.from(bytes);
    writer.append('traces', bytes.subarray(0), 1);
    writer.append('traces', new Uint8Array(Buffer.from('{"b":2}')), 1);
    await writer.shutdown();
    expect(bytes.equals(before)).toBe(true);
    expect(segmentLines(dir, 'traces').map((l) => JSON.parse(l))).toEqual([
      { a: 1, s: 'ünï✓' },
      { b: 2 },
    ]);
    expect(writer.stats().written.bytes).toBe(bytes.length + 1 + 7 + 1);
  });

  it('writes exactly the UTF-8 bytes it counted: multi-byte text, lone surrogates, raw CR/LF, a line over the 1 MiB scratch', async () => {
    const writer = new SpoolWriter({ dir });
    const big = 'é✓'.repeat(300_000); // 1.5 MB of UTF-8 in one line: written from its own buffer
    const lines = [
      JSON.stringify({ s: 'ünï✓😀' }),
      '{"s":"\uD800x"}', // a lone surrogate: U+FFFD, 3 bytes, as Buffer.from would write it
      '{"s":"é",\r\n"t":"✓"}',
      JSON.stringify({ s: big }),
      JSON.stringify({ s: 'after' }),
    ];
    for (const l of lines) writer.append('traces', l, 1);
    await writer.shutdown();
    const expected = lines.map((l) => l.replace(/[\r\n]/g, ' '));
    expect(segmentLines(dir, 'traces')).toEqual(
      expected.map((l) => Buffer.from(l, 'utf8').toString('utf8')),
    );
    const total = expected.reduce((n, l) => n + Buffer.byteLength(l, 'utf8') + 1, 0);
    expect(writer.stats().written).toEqual({ records: 5, lines: 5, bytes: total });
    const onDisk = segmentFiles(dir, 'traces').reduce(
      (n, f) => n + statSync(join(dir, 'traces', f)).size,
      0,
    );
    expect(onDisk).toBe(total);
  });

  it('rotates by size without splitting lines, and never reuses a name', async () => {
    const writer = new SpoolWriter({ dir, maxSegmentBytes: 1000 });
    for (let i = 0; i < 30; i++) writer.append('logs', lineOf(i, 299), 1);
    await writer.shutdown();
    const files = segmentFiles(dir);
    expect(files.length).toBe(10); // 3 lines of 300 bytes fit in 1000
    for (const f of files) expect(statSync(join(dir, 'logs', f)).size).toBeLessThanOrEqual(1000);
    expect(new Set(files).size).toBe(files.length);
    expect(segmentLines(dir).map((l) => JSON.parse(l).id)).toEqual([...Array(30).keys()]);
  });

  it('puts a line larger than maxSegmentBytes alone in its own segment', async () => {
    const writer = new SpoolWriter({ dir, maxSegmentBytes: 100 });
    writer.append('logs', lineOf(1, 50), 1);
    writer.append('logs', lineOf(2, 500), 1);
    writer.append('logs', lineOf(3, 50), 1);
    await writer.shutdown();
    expect(segmentFiles(dir)).toHaveLength(3);
    expect(segmentLines(dir).map((l) => JSON.parse(l).id)).toEqual([1, 2, 3]);
  });

  it('rotates by age at the next write', async () => {
    const writer = new SpoolWriter({ dir, maxSegmentAgeMs: 20 });
    writer.append('logs', lineOf(1), 1);
    await writer.flush();
    await sleep(40);
    writer.append('logs', lineOf(2), 1);
    await writer.shutdown();
    expect(segmentFiles(dir)).toHaveLength(2);
  });

  it('drops and counts exactly what does not fit in the queue', async () => {
    const writer = new SpoolWriter({ dir, maxQueueBytes: 1000 });
    const accepted = [];
    for (let i = 0; i < 10; i++) accepted.push(writer.append('logs', lineOf(i, 299), 5));
    expect(accepted).toEqual([true, true, true, false, false, false, false, false, false, false]);
    await writer.shutdown();
    const stats = writer.stats();
    expect(stats.dropped.queue_full).toBe(35);
    expect(stats.droppedDetail.queue_full).toEqual({ records: 35, lines: 7, bytes: 7 * 300 });
    expect(stats.written.records).toBe(15);
    expect(segmentLines(dir)).toHaveLength(3);
  });

  it('keeps the spool under maxSpoolBytes by deleting the oldest sealed segments, counted', async () => {
    const writer = new SpoolWriter({ dir, maxSegmentBytes: 1000, maxSpoolBytes: 3000 });
    for (let i = 0; i < 40; i++) {
      writer.append('logs', lineOf(i, 249), 1);
      await writer.flush();
    }
    await writer.shutdown();
    const stats = writer.stats();
    const lines = segmentLines(dir).map((l) => JSON.parse(l).id as number);
    // what is left is the newest data, in order, and the counts add up exactly
    expect(lines).toEqual([...Array(40).keys()].slice(40 - lines.length));
    expect(stats.written.records).toBe(40);
    expect(stats.evicted.records).toBe(40 - lines.length);
    expect(stats.evicted.segments).toBeGreaterThan(0);
    let total = 0;
    for (const f of segmentFiles(dir)) total += statSync(join(dir, 'logs', f)).size;
    expect(total).toBeLessThanOrEqual(3000);
  });

  it('drops (counted as spool_full) what cannot fit even after eviction, and never deletes a live foreign segment', async () => {
    // another live process's active segment (our parent is alive) fills most of the cap
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const foreign = join(dir, 'logs', `20000101T000000000Z_${process.ppid}_abcd_000001.jsonl`);
    writeFileSync(foreign, lineOf(0, 899) + '\n');
    const writer = new SpoolWriter({ dir, maxSpoolBytes: 1000 });
    writer.append('logs', lineOf(1, 50), 1); // fits (951 bytes)
    writer.append('logs', lineOf(2, 200), 3); // does not fit
    await writer.shutdown();
    expect(existsSync(foreign)).toBe(true);
    expect(writer.stats().dropped.spool_full).toBe(3);
    expect(writer.stats().written.records).toBe(1);
  });

  it('degrades without throwing when the spool is unwritable, counts, and resumes later', async () => {
    writeFileSync(join(dir, 'logs'), 'not a directory'); // <dir>/logs is a file: ENOTDIR/EEXIST
    const writer = new SpoolWriter({ dir });
    expect(writer.append('logs', lineOf(1), 2)).toBe(true);
    await writer.flush();
    expect(writer.stats().dropped.io_error).toBe(2);
    expect(Object.keys(writer.stats().errors).length).toBeGreaterThan(0);
    rmSync(join(dir, 'logs'));
    // The writer retries after a backoff; keep writing until a line lands (bounded).
    let attempts = 0;
    while (writer.stats().written.records === 0 && attempts++ < 100) {
      writer.append('logs', lineOf(2), 1);
      await writer.flush();
      if (writer.stats().written.records === 0) await sleep(20);
    }
    expect(writer.stats().written.records).toBe(1);
    await writer.shutdown();
    expect(segmentLines(dir).map((l) => JSON.parse(l).id)).toEqual([2]);
  });

  it('counts an unwritable spool directory as io_error instead of throwing', async () => {
    // Root ignores directory permissions, so as root (always, in CI) the spool is placed under
    // a regular file, which no privilege can create a directory in (ENOTDIR); otherwise a
    // read-only directory (EACCES).
    const asRoot = process.getuid?.() === 0;
    let spool: string;
    if (asRoot) {
      writeFileSync(join(dir, 'plain-file'), '');
      spool = join(dir, 'plain-file', 'spool');
    } else {
      mkdirSync(join(dir, 'ro'), { mode: 0o500 });
      spool = join(dir, 'ro');
    }
    const writer = new SpoolWriter({ dir: spool, durability: 'batch' });
    writer.append('logs', lineOf(1), 1);
    await expect(writer.write('logs', lineOf(2), 1)).resolves.toBe(false);
    await writer.flush();
    expect(writer.stats().dropped.io_error).toBe(2);
    expect(writer.stats().written.records).toBe(0);
    expect(writer.stats().errors[asRoot ? 'ENOTDIR' : 'EACCES']).toBeGreaterThan(0);
    await writer.shutdown();
  });

  it('recreates the spool directory when it is deleted while writing', async () => {
    const spool = join(dir, 'spool');
    const writer = new SpoolWriter({ dir: spool });
    writer.append('logs', lineOf(1), 1);
    await writer.flush();
    rmSync(spool, { recursive: true, force: true });
    writer.append('logs', lineOf(2), 1);
    await writer.flush();
    await writer.shutdown();
    expect(segmentLines(spool).map((l) => JSON.parse(l).id)).toEqual([2]);
    expect(statSync(spool).mode & 0o777).toBe(0o700);
  });

  it("flushSync writes the queue before returning ('batch' fsyncs too)", () => {
    const writer = new SpoolWriter({ dir, durability: 'batch' });
    for (let i = 0; i < 100; i++) writer.append('logs', lineOf(i), 1);
    writer.append('traces', lineOf(1000), 1);
    writer.flushSync();
    expect(segmentLines(dir)).toHaveLength(100);
    expect(segmentLines(dir, 'traces')).toHaveLength(1);
    expect(writer.stats().queuedLines).toBe(0);
  });

  it("'batch' acknowledges a burst in write order, each line on disk when acknowledged", async () => {
    const writer = new SpoolWriter({ dir, durability: 'batch' });
    const acked: number[] = [];
    const onDiskWhenAcked: boolean[] = [];
    const writes: Promise<boolean>[] = [];
    // ~3 MB: many drain passes and more than one group fsync
    for (let i = 0; i < 3000; i++) {
      writes.push(
        writer.write('logs', lineOf(i, 1000), 1).then((ok) => {
          acked.push(i);
          if (i % 500 === 0 || i === 2999) {
            onDiskWhenAcked.push(segmentLines(dir).some((l) => JSON.parse(l).id === i));
          }
          return ok;
        }),
      );
    }
    expect((await Promise.all(writes)).every(Boolean)).toBe(true);
    expect(acked).toEqual([...Array(3000).keys()]);
    expect(onDiskWhenAcked.every(Boolean)).toBe(true);
    await writer.shutdown();
    expect(writer.stats().written.records).toBe(3000);
  });

  it('write() resolves true once written and false when dropped', async () => {
    const writer = new SpoolWriter({ dir, durability: 'batch', maxQueueBytes: 200 });
    const ok = writer.write('logs', lineOf(1), 1);
    const dropped = writer.write('logs', lineOf(2, 150), 1);
    expect(await dropped).toBe(false);
    expect(await ok).toBe(true);
    await writer.shutdown();
    expect(await writer.write('logs', lineOf(3), 1)).toBe(false);
    expect(writer.stats().dropped.shutdown).toBe(1);
  });

  it('gzips sealed segments off the hot path (tmp + rename), keeping every line', async () => {
    const writer = new SpoolWriter({ dir, maxSegmentBytes: 500, compressSealed: true });
    for (let i = 0; i < 20; i++) writer.append('logs', lineOf(i, 199), 1);
    await writer.shutdown();
    const files = segmentFiles(dir);
    expect(files.every((f) => f.endsWith('.jsonl.gz'))).toBe(true);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
    for (const f of files) expect(statSync(join(dir, 'logs', f)).mode & 0o777).toBe(0o600);
    expect(segmentLines(dir).map((l) => JSON.parse(l).id)).toEqual([...Array(20).keys()]);
  });
});
