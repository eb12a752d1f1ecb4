import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listSegments, readSpool, type MalformedEntry } from '../../src/index.js';
import {
  readCompressedSegment,
  readPlainSegment,
  READ_CHUNK_BYTES,
  SegmentState,
} from '../../src/reader/segment-reader.js';
import {
  collect,
  quarantined,
  removeSpool,
  segmentName,
  spanName,
  tempSpool,
  traceLine,
  writeSegment,
} from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = tempSpool();
});
afterEach(() => {
  removeSpool(dir);
});

/** Drains one segment read, returning the error it ended with (if any). */
async function drain(read: AsyncGenerator<unknown>): Promise<unknown> {
  try {
    for await (const _ of read) void _;
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('one-shot reads are bounded by the size at the start', () => {
  it('does not read lines appended while the read is running', async () => {
    const file = writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n${traceLine(1)}\n`);
    const seen: string[] = [];
    for await (const record of readSpool(dir)) {
      seen.push(spanName(record)!);
      // another process appends after every record: an unbounded reader never ends
      if (seen.length < 1000) appendFileSync(file, `${traceLine(seen.length + 1)}\n`);
    }
    expect(seen).toEqual(['span-0', 'span-1']);
  });

  it('follow mode still follows appended lines', async () => {
    const file = writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n`);
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const record of readSpool(dir, {
      follow: true,
      signal: controller.signal,
      pollIntervalMs: 20,
    })) {
      seen.push(spanName(record)!);
      if (seen.length < 3) appendFileSync(file, `${traceLine(seen.length)}\n`);
      else controller.abort();
    }
    expect(seen).toEqual(['span-0', 'span-1', 'span-2']);
  });
});

describe('overlong unterminated tails', () => {
  it('quarantines an unterminated tail longer than the line limit once, with its reason', async () => {
    const head = `${traceLine(0)}\n`;
    writeSegment(dir, 'traces', segmentName(1), head + 'x'.repeat(1000));
    const reported: MalformedEntry[] = [];
    for (let run = 0; run < 2; run++) {
      const records = await collect(dir, {
        maxLineBytes: 400,
        onMalformed: (e) => reported.push(e),
      });
      expect(records.map(spanName)).toEqual(['span-0']);
    }
    expect(quarantined(dir)).toMatchObject([
      {
        name: `${segmentName(1)}.L2.json`,
        line: 2,
        bytes: 1000,
        position: Buffer.byteLength(head) + 1000,
        reason: expect.stringMatching(
          /^unterminated line of 1000 bytes at the end of the segment is longer than the 400-byte limit$/,
        ),
      },
    ]);
    expect(reported).toHaveLength(2); // reported on each read, stored once
  });

  it('still skips a short torn tail without quarantine', async () => {
    writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n${'x'.repeat(399)}`);
    expect((await collect(dir, { maxLineBytes: 400 })).map(spanName)).toEqual(['span-0']);
    expect(quarantined(dir)).toEqual([]);
  });

  it('follows an overlong line to its newline within the scan limit and reads on', async () => {
    writeSegment(
      dir,
      'traces',
      segmentName(1),
      `${traceLine(0)}\n${'x'.repeat(3000)}\n${traceLine(1)}\n`,
    );
    const records = await collect(dir, { maxLineBytes: 400, maxScanBytes: 4000 });
    expect(records.map(spanName)).toEqual(['span-0', 'span-1']);
    expect(quarantined(dir)).toMatchObject([
      { line: 2, bytes: 3000, reason: expect.stringMatching(/longer than the 400-byte limit/) },
    ]);
  });

  it('past the scan limit, quarantines the rest of the segment as one record without reading it', async () => {
    const head = `${traceLine(0)}\n`;
    const file = writeSegment(dir, 'traces', segmentName(1), head);
    // a sparse hole far larger than anything read: the read must stop long before its end
    const size = 64 * 1024 * 1024 * 1024;
    truncateSync(file, size);
    writeSegment(dir, 'traces', segmentName(2), `${traceLine(1)}\n`);
    const started = Date.now();
    for (let run = 0; run < 2; run++) {
      const records = await collect(dir, {
        maxLineBytes: 4096,
        maxScanBytes: 4 * READ_CHUNK_BYTES,
      });
      expect(records.map(spanName)).toEqual(['span-0', 'span-1']); // the next segment is read
    }
    expect(Date.now() - started).toBeLessThan(20_000); // generous: reading 64 GiB takes minutes
    const entries = quarantined(dir);
    expect(entries).toMatchObject([
      {
        name: `${segmentName(1)}.L2.json`,
        line: 2,
        position: size,
        bytes: size - Buffer.byteLength(head),
        truncated: true,
        reason: expect.stringMatching(
          /no newline in its first \d+ bytes: the rest of the segment \(\d+ bytes from offset \d+\) is not read/,
        ),
      },
    ]);
  });

  it('stops inflating a gzip segment whose line never ends', async () => {
    const body = Buffer.concat([
      Buffer.from(`${traceLine(0)}\n`),
      Buffer.alloc(8 * READ_CHUNK_BYTES),
    ]);
    writeSegment(dir, 'traces', `${segmentName(1)}.gz`, gzipSync(body));
    const records = await collect(dir, { maxLineBytes: 4096, maxScanBytes: READ_CHUNK_BYTES });
    expect(records.map(spanName)).toEqual(['span-0']);
    const [entry] = quarantined(dir);
    expect(entry).toMatchObject({ line: 2, reason: expect.stringMatching(/is not read/) });
    expect(entry!.bytes as number).toBeLessThan(body.length);
  });

  it('follow mode abandons a segment past the scan limit once and keeps following the others', async () => {
    const file = writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n`);
    truncateSync(file, 1024 * 1024 * 1024);
    const controller = new AbortController();
    const seen: string[] = [];
    const reported: MalformedEntry[] = [];
    for await (const record of readSpool(dir, {
      follow: true,
      signal: controller.signal,
      pollIntervalMs: 20,
      maxLineBytes: 4096,
      maxScanBytes: READ_CHUNK_BYTES,
      onMalformed: (e) => reported.push(e),
    })) {
      seen.push(spanName(record)!);
      if (seen.length === 1) {
        appendFileSync(file, `\n${traceLine(9)}\n`); // behind the abandoned run: not chased
        writeSegment(dir, 'traces', segmentName(2), `${traceLine(1)}\n`);
      } else if (seen.length === 2) {
        // more passes over both segments before the end
        appendFileSync(file, `${traceLine(10)}\n`);
        appendFileSync(join(dir, 'traces', segmentName(2)), `${traceLine(2)}\n`);
      } else {
        controller.abort();
      }
    }
    expect(seen).toEqual(['span-0', 'span-1', 'span-2']);
    expect(reported).toHaveLength(1);
  });
});

describe('segments are never opened through symlinks or as special files', () => {
  it('lists no symlink named like a segment, and reads nothing through one', async () => {
    const outside = join(tempSpool(), 'victim.jsonl');
    try {
      writeFileSync(outside, `${traceLine(7)}\nsecret=hunter2\n`);
      writeSegment(dir, 'traces', segmentName(2), `${traceLine(2)}\n`);
      symlinkSync(outside, join(dir, 'traces', segmentName(1)));
      symlinkSync(outside, join(dir, 'traces', `${segmentName(3)}.gz`));
      expect((await listSegments(dir)).map((s) => s.segment)).toEqual([segmentName(2)]);
      expect((await collect(dir)).map(spanName)).toEqual(['span-2']);
      expect(quarantined(dir)).toEqual([]); // nothing of the victim file copied anywhere
    } finally {
      removeSpool(join(outside, '..'));
    }
  });

  it('does not list the segments of a signal dir that is a symlink', async () => {
    const elsewhere = tempSpool();
    try {
      writeFileSync(join(elsewhere, segmentName(1)), `${traceLine(7)}\nnot json\n`);
      symlinkSync(elsewhere, join(dir, 'traces'));
      writeSegment(dir, 'logs', segmentName(1), '{"resourceLogs":[]}\n');
      expect((await listSegments(dir)).map((s) => s.signal)).toEqual(['logs']);
      expect(await collect(dir, { signals: ['traces'] })).toEqual([]);
      expect(quarantined(dir)).toEqual([]);
    } finally {
      removeSpool(elsewhere);
    }
  });

  it('refuses a symlink swapped in after the listing (O_NOFOLLOW)', async () => {
    const outside = join(tempSpool(), 'victim.jsonl');
    try {
      writeFileSync(outside, `${traceLine(7)}\n`);
      mkdirSync(join(dir, 'traces'));
      const link = join(dir, 'traces', segmentName(1));
      symlinkSync(outside, link);
      const state = new SegmentState('traces', segmentName(1), 4096, 0);
      const buffer = Buffer.alloc(READ_CHUNK_BYTES);
      expect(await drain(readPlainSegment(state, link, buffer, undefined))).toMatchObject({
        code: 'ELOOP',
      });
      expect(await drain(readCompressedSegment(state, link, undefined))).toMatchObject({
        code: 'ELOOP',
      });
    } finally {
      removeSpool(join(outside, '..'));
    }
  });

  it('does not block on a FIFO named like a segment', async () => {
    mkdirSync(join(dir, 'traces'));
    const fifo = join(dir, 'traces', segmentName(1));
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo on this platform
    }
    expect(statSync(fifo).isFIFO()).toBe(true);
    const state = new SegmentState('traces', segmentName(1), 4096, 0);
    const buffer = Buffer.alloc(READ_CHUNK_BYTES);
    // Opening a FIFO for reading blocks until a writer comes; O_NONBLOCK + fstat refuse it.
    expect(await drain(readPlainSegment(state, fifo, buffer, undefined))).toMatchObject({
      code: 'ENOTREG',
      message: expect.stringMatching(/a FIFO, not a regular file/),
    });
    expect(await collect(dir)).toEqual([]);
  });
});
