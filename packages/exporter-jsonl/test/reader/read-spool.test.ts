import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSpool } from '../../src/index.js';
import { QUARANTINE_MAX_LINES_PER_SEGMENT, QUARANTINE_RAW_LIMIT } from '../../src/internal.js';
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

describe('readSpool', () => {
  it('reads every signal, segments in lexical order, with file, segment, line and position', async () => {
    const a = traceLine(0);
    const b = traceLine(1);
    writeSegment(dir, 'traces', segmentName(2), `${b}\n`);
    const first = writeSegment(dir, 'traces', segmentName(1), `${a}\n${a}\n`);
    writeSegment(dir, 'logs', segmentName(1), '{"resourceLogs":[]}\n');
    writeSegment(dir, 'metrics', segmentName(1), '{"resourceMetrics":[]}\n');
    const records = await collect(dir);
    expect(records.map((r) => [r.signal, r.segment, r.line])).toEqual([
      ['traces', segmentName(1), 1],
      ['traces', segmentName(1), 2],
      ['traces', segmentName(2), 1],
      ['metrics', segmentName(1), 1],
      ['logs', segmentName(1), 1],
    ]);
    expect(records[0]!.file).toBe(first);
    expect(records[0]!.position).toBe(Buffer.byteLength(a) + 1);
    expect(records[1]!.position).toBe(2 * (Buffer.byteLength(a) + 1));
    expect(records[2]!.data).toEqual(JSON.parse(b));
    expect(quarantined(dir)).toEqual([]);
  });

  it('honours the signals option and its order', async () => {
    writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n`);
    writeSegment(dir, 'logs', segmentName(1), '{"resourceLogs":[]}\n');
    const records = await collect(dir, { signals: ['logs', 'traces'] });
    expect(records.map((r) => r.signal)).toEqual(['logs', 'traces']);
    expect((await collect(dir, { signals: ['metrics'] })).length).toBe(0);
  });

  it('skips a torn last line without quarantining it', async () => {
    const torn = traceLine(1).slice(0, 40);
    writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n${torn}`);
    const records = await collect(dir);
    expect(records.map(spanName)).toEqual(['span-0']);
    expect(quarantined(dir)).toEqual([]);
  });

  it('quarantines garbage, binary junk, invalid UTF-8 and wrong shapes, and keeps going', async () => {
    const junk = Buffer.from([0x00, 0x01, 0x02, 0x1b, 0x7b, 0x00]); // valid UTF-8, not JSON
    const badUtf8 = Buffer.concat([
      Buffer.from('{"resourceSpans":[],"x":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const content = Buffer.concat([
      Buffer.from(`${traceLine(0)}\nnot json at all\n`),
      junk,
      Buffer.from('\n'),
      badUtf8,
      Buffer.from(
        `\n{"resourceMetrics":[]}\n${traceLine(1).replace('"name":"span-1"', '"name":17')}\n\n${traceLine(2)}\n`,
      ),
    ]);
    writeSegment(dir, 'traces', segmentName(1), content);
    const records = await collect(dir);
    expect(records.map((r) => [spanName(r), r.line])).toEqual([
      ['span-0', 1],
      ['span-2', 8],
    ]);
    const entries = quarantined(dir);
    expect(entries.map((e) => [e.line, e.reason])).toEqual([
      [2, expect.stringMatching(/^invalid JSON/)],
      [3, expect.stringMatching(/^invalid JSON/)],
      [4, 'invalid UTF-8'],
      [5, 'found resourceMetrics (metrics) where traces (resourceSpans) were expected'],
      [6, 'resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got 17'],
    ]);
    const byLine = new Map(entries.map((e) => [e.line, e]));
    expect(byLine.get(2)).toMatchObject({
      raw: 'not json at all',
      bytes: 15,
      truncated: false,
      segment: segmentName(1),
    });
    expect(Buffer.from(byLine.get(3)!.raw as string, 'utf8')).toEqual(junk); // valid UTF-8: kept as text
    expect(Buffer.from(byLine.get(4)!.rawBase64 as string, 'base64')).toEqual(badUtf8);
    expect(byLine.get(4)!.sha256).toBe(createHash('sha256').update(badUtf8).digest('hex'));
    expect(statSync(join(dir, 'quarantine')).mode & 0o777).toBe(0o700);
  });

  it('does not duplicate quarantine entries when the spool is read twice', async () => {
    writeSegment(dir, 'traces', segmentName(1), `garbage\n${traceLine(0)}\n{\n`);
    await collect(dir);
    const first = readdirSync(join(dir, 'quarantine', 'traces')).sort();
    const contents = first.map((n) => readFileSync(join(dir, 'quarantine', 'traces', n), 'utf8'));
    await collect(dir);
    const second = readdirSync(join(dir, 'quarantine', 'traces')).sort();
    expect(first).toHaveLength(2);
    expect(second).toEqual(first);
    expect(second.map((n) => readFileSync(join(dir, 'quarantine', 'traces', n), 'utf8'))).toEqual(
      contents,
    );
  });

  it('copies at most QUARANTINE_MAX_LINES_PER_SEGMENT bad lines of a segment, then one note', async () => {
    const garbage = QUARANTINE_MAX_LINES_PER_SEGMENT + 500;
    writeSegment(dir, 'traces', segmentName(1), 'junk\n'.repeat(garbage) + `${traceLine(0)}\n`);
    let reported = 0;
    const records = await collect(dir, { onMalformed: () => reported++ });
    expect(records.map((r) => r.line)).toEqual([garbage + 1]);
    expect(reported).toBe(garbage);
    const names = readdirSync(join(dir, 'quarantine', 'traces'));
    expect(names).toHaveLength(QUARANTINE_MAX_LINES_PER_SEGMENT + 1);
    expect(names).toContain(`${segmentName(1)}.more.json`);
    expect(quarantined(dir).find((e) => e.name === `${segmentName(1)}.more.json`)).toMatchObject({
      line: QUARANTINE_MAX_LINES_PER_SEGMENT + 1,
    });
  });

  it('with quarantine: false skips bad lines, reports them, and writes nothing', async () => {
    writeSegment(dir, 'traces', segmentName(1), `garbage\n${traceLine(0)}\n`);
    const reported: unknown[] = [];
    const records = await collect(dir, { quarantine: false, onMalformed: (e) => reported.push(e) });
    expect(records).toHaveLength(1);
    expect(reported).toMatchObject([
      { line: 2 - 1, reason: expect.stringMatching(/invalid JSON/) },
    ]);
    expect(existsSync(join(dir, 'quarantine'))).toBe(false);
  });

  it('streams a 50 MB single line to quarantine (prefix, length, sha256) and reads on', async () => {
    const huge = Buffer.alloc(50 * 1024 * 1024, 0x61); // 'aaaa…'
    huge.write('{"resourceSpans":"', 0);
    const file = writeSegment(
      dir,
      'traces',
      segmentName(1),
      Buffer.concat([Buffer.from(`${traceLine(0)}\n`), huge, Buffer.from(`\n${traceLine(1)}\n`)]),
    );
    const records = await collect(dir);
    expect(records.map((r) => [spanName(r), r.line])).toEqual([
      ['span-0', 1],
      ['span-1', 3],
    ]);
    expect(records[1]!.position).toBe(statSync(file).size);
    const [entry] = quarantined(dir);
    expect(entry).toMatchObject({
      line: 2,
      bytes: huge.length,
      truncated: true,
      storedBytes: QUARANTINE_RAW_LIMIT,
      sha256: createHash('sha256').update(huge).digest('hex'),
      reason: expect.stringMatching(/longer than the 16777216-byte limit/),
    });
    expect((entry!.raw as string).startsWith('{"resourceSpans":"aaa')).toBe(true);
  });

  it('applies a smaller maxLineBytes', async () => {
    writeSegment(
      dir,
      'traces',
      segmentName(1),
      `${traceLine(0)}\n${traceLine(1, ',"pad":"' + 'x'.repeat(500) + '"')}\n`,
    );
    const records = await collect(dir, { maxLineBytes: 400 });
    expect(records.map(spanName)).toEqual(['span-0']);
    expect(quarantined(dir)).toMatchObject([
      { line: 2, truncated: false, reason: expect.stringMatching(/400-byte limit/) },
    ]);
  });

  it('reads an empty file and a missing directory as nothing, without creating anything', async () => {
    writeSegment(dir, 'traces', segmentName(1), '');
    expect(await collect(dir)).toEqual([]);
    const missing = join(dir, 'does', 'not', 'exist');
    expect(await collect(missing)).toEqual([]);
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(join(dir, 'quarantine'))).toBe(false);
  });

  it('reports an unreadable segment through quarantine and reads the others', async () => {
    writeSegment(dir, 'traces', segmentName(2), `${traceLine(2)}\n`);
    if (process.getuid?.() === 0) {
      // root reads any file: a directory with a segment's name is the unreadable entry here
      mkdirSync(join(dir, 'traces', segmentName(1)));
    } else {
      const file = writeSegment(dir, 'traces', segmentName(1), `${traceLine(1)}\n`);
      chmodSync(file, 0o000);
    }
    const records = await collect(dir);
    expect(records.map(spanName)).toEqual(['span-2']);
    expect(quarantined(dir)).toMatchObject([
      {
        name: `${segmentName(1)}.file.json`,
        segment: segmentName(1),
        reason: expect.stringMatching(/^cannot read: E(ISDIR|ACCES)/),
      },
    ]);
  });

  it('reads .jsonl.gz segments, and a segment present both ways once', async () => {
    const lines = `${traceLine(0)}\n${traceLine(1)}\n`;
    writeSegment(dir, 'traces', `${segmentName(1)}.gz`, gzipSync(lines));
    writeSegment(dir, 'traces', segmentName(2), `${traceLine(2)}\n`);
    writeSegment(dir, 'traces', `${segmentName(2)}.gz`, gzipSync(`${traceLine(2)}\n`));
    const records = await collect(dir);
    expect(records.map((r) => [spanName(r), r.segment, r.line, r.position])).toEqual([
      ['span-0', segmentName(1), 1, Buffer.byteLength(traceLine(0)) + 1],
      ['span-1', segmentName(1), 2, Buffer.byteLength(lines)],
      ['span-2', segmentName(2), 1, Buffer.byteLength(traceLine(2)) + 1],
    ]);
    expect(records[0]!.file.endsWith('.jsonl.gz')).toBe(true);
    expect(records[2]!.file.endsWith('.jsonl')).toBe(true);
  });

  it('reports a truncated gzip segment and keeps the lines before the damage', async () => {
    const many = Array.from({ length: 2000 }, (_, i) => traceLine(i)).join('\n') + '\n';
    const gz = gzipSync(many);
    writeSegment(dir, 'traces', `${segmentName(1)}.gz`, gz.subarray(0, Math.floor(gz.length / 2)));
    const records = await collect(dir);
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(2000);
    expect(records.map((r) => r.line)).toEqual(records.map((_, i) => i + 1));
    expect(quarantined(dir)).toMatchObject([
      { reason: expect.stringMatching(/^cannot read: .*unexpected end of file/) },
    ]);
  });

  it('resumes from positions per segment, plain and compressed', async () => {
    const lines = [0, 1, 2, 3].map((i) => traceLine(i)).join('\n') + '\n';
    writeSegment(dir, 'traces', segmentName(1), lines);
    writeSegment(dir, 'traces', `${segmentName(2)}.gz`, gzipSync(lines));
    const all = await collect(dir);
    expect(all).toHaveLength(8);
    const from = { [segmentName(1)]: all[1]!.position, [segmentName(2)]: all[6]!.position };
    const rest = await collect(dir, { from });
    expect(rest.map((r) => [r.segment, r.line, r.position])).toEqual([
      [segmentName(1), 3, all[2]!.position],
      [segmentName(1), 4, all[3]!.position],
      [segmentName(2), 4, all[7]!.position],
    ]);
    expect(
      await collect(dir, {
        from: { [segmentName(1)]: all[3]!.position, [segmentName(2)]: all[7]!.position },
      }),
    ).toEqual([]);
  });

  it('resumes at a ResumePoint without reading what lies before it', async () => {
    // Blank and bad lines before the point count in the line numbers as the reader counts them.
    const lines = `${traceLine(0)}\n\ngarbage\n${traceLine(1)}\n${traceLine(2)}\n`;
    const file = writeSegment(dir, 'traces', segmentName(1), lines);
    writeSegment(dir, 'traces', `${segmentName(2)}.gz`, gzipSync(lines));
    const all = await collect(dir, { quarantine: false });
    const [first, second, third] = all;
    const point = { position: second!.position, line: second!.line };
    const bare = await collect(dir, {
      quarantine: false,
      from: { [segmentName(1)]: point.position, [segmentName(2)]: point.position },
    });
    const resumed = await collect(dir, {
      quarantine: false,
      from: { [segmentName(1)]: point, [segmentName(2)]: point },
    });
    expect(resumed).toEqual(bare);
    expect(resumed[0]).toMatchObject({
      segment: segmentName(1),
      line: 5,
      position: third!.position,
    });
    // Proof that the bytes before the point are not read: turn the first line into newlines
    // (same length). A bare position re-reads them and numbers the later lines anew; the
    // ResumePoint's numbering stands.
    const garbled = Buffer.from(lines);
    garbled.fill(0x0a, 0, first!.position - 1);
    writeFileSync(file, garbled);
    const only1 = (r: { segment: string }) => r.segment === segmentName(1);
    const resumedAgain = await collect(dir, {
      quarantine: false,
      from: { [segmentName(1)]: point },
    });
    expect(resumedAgain.filter(only1)).toEqual(resumed.filter(only1));
    const bareAgain = await collect(dir, {
      quarantine: false,
      from: { [segmentName(1)]: point.position },
    });
    expect(bareAgain.filter(only1)[0]!.line).toBe(5 + first!.position - 1);
    // At the end of the file: nothing to read.
    const end = { position: statSync(file).size, line: 5 };
    const none = await collect(dir, { quarantine: false, from: { [segmentName(1)]: end } });
    expect(none.filter((r) => r.segment === segmentName(1))).toEqual([]);
  });

  it('reads from the start when a ResumePoint is not just after a newline (or is nonsense)', async () => {
    const file = writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n${traceLine(1)}\n`);
    const all = await collect(dir);
    const inside = { position: all[0]!.position - 5, line: 1 };
    expect(await collect(dir, { from: { [segmentName(1)]: inside } })).toEqual(
      await collect(dir, { from: { [segmentName(1)]: inside.position } }),
    );
    // Beyond the end (a shorter file than the point was taken on): the bare position's result.
    const beyond = { position: statSync(file).size + 100, line: 9 };
    expect(await collect(dir, { from: { [segmentName(1)]: beyond } })).toEqual([]);
    // A line that is not a count is ignored: the position alone applies.
    const odd = { position: all[0]!.position, line: -1 };
    expect(await collect(dir, { from: { [segmentName(1)]: odd } })).toEqual([all[1]]);
    // A position that is no byte offset (a hand-edited cursor) cannot be seeked: counted instead.
    const fractional = { position: all[0]!.position + 0.5, line: 1 };
    expect(await collect(dir, { from: { [segmentName(1)]: fractional } })).toEqual([all[1]]);
  });

  it('does not quarantine bad lines before the resume position again', async () => {
    writeSegment(dir, 'traces', segmentName(1), `garbage\n${traceLine(0)}\n`);
    const records = await collect(dir, { from: { [segmentName(1)]: 8 } });
    expect(records.map((r) => r.line)).toEqual([2]);
    expect(quarantined(dir)).toEqual([]);
  });

  it('stops when its abort signal fires', async () => {
    writeSegment(
      dir,
      'traces',
      segmentName(1),
      Array.from({ length: 50 }, (_, i) => traceLine(i)).join('\n') + '\n',
    );
    const controller = new AbortController();
    const seen: number[] = [];
    for await (const record of readSpool(dir, { signal: controller.signal })) {
      seen.push(record.line);
      if (seen.length === 3) controller.abort();
    }
    expect(seen.length).toBeLessThan(50);
  });

  it('ignores hidden and temporary files next to segments', async () => {
    writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n`);
    writeFileSync(join(dir, 'traces', `${segmentName(2)}.gz.tmp`), 'partial');
    writeFileSync(join(dir, 'traces', `.${segmentName(3)}`), 'garbage\n');
    expect((await collect(dir)).map(spanName)).toEqual(['span-0']);
    expect(quarantined(dir)).toEqual([]);
  });
});

describe('readSpool input checks', () => {
  it('skips a UTF-8 byte order mark at the start of a file', async () => {
    writeSegment(dir, 'traces', segmentName(1), `\uFEFF${traceLine(0)}\n`);
    expect((await collect(dir)).map(spanName)).toEqual(['span-0']);
  });

  it('reads CRLF line endings', async () => {
    writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\r\n${traceLine(1)}\r\n`);
    expect((await collect(dir)).map(spanName)).toEqual(['span-0', 'span-1']);
    expect(quarantined(dir)).toEqual([]);
  });

  it('ignores resume positions that are not positive numbers', async () => {
    writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n`);
    const from = { [segmentName(1)]: Number.NaN } as Record<string, number>;
    expect(await collect(dir, { from })).toHaveLength(1);
  });

  it('rejects an unknown signal name', async () => {
    await expect(collect(dir, { signals: ['spans' as never] })).rejects.toThrow(
      /unknown signal spans/,
    );
  });
});
