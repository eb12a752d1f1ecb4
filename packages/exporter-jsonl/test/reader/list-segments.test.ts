import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listSegments } from '../../src/index.js';
import { removeSpool, segmentName, tempSpool, writeSegment } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = tempSpool();
});
afterEach(() => {
  removeSpool(dir);
});

describe('listSegments', () => {
  it('lists segments per signal in lexical order with what their names and stat say', async () => {
    const late = '20261124T101500250Z_77_beef_000003.jsonl';
    const early = '20261124T093000000Z_12_abcd_000001.jsonl';
    writeSegment(dir, 'traces', late, 'x\n');
    writeSegment(dir, 'traces', `${early}.gz`, gzipSync('y\n'));
    writeSegment(dir, 'logs', early, 'z\n');
    const segments = await listSegments(dir);
    expect(segments.map((s) => [s.signal, s.segment, s.compressed, s.pid])).toEqual([
      ['traces', early, true, 12],
      ['traces', late, false, 77],
      ['logs', early, false, 12],
    ]);
    const lateInfo = segments[1]!;
    expect(lateInfo.file).toBe(join(dir, 'traces', late));
    expect(lateInfo.size).toBe(2);
    expect(lateInfo.mtimeMs).toBe(statSync(lateInfo.file).mtimeMs);
    expect(lateInfo.startedAt).toBe(Date.parse('2026-11-24T10:15:00.250Z'));
  });

  it('lists a segment present plain and compressed once, as the plain file', async () => {
    writeSegment(dir, 'metrics', segmentName(1), 'a\n');
    writeSegment(dir, 'metrics', `${segmentName(1)}.gz`, gzipSync('a\n'));
    const segments = await listSegments(dir, ['metrics']);
    expect(segments).toHaveLength(1);
    expect(segments[0]).toMatchObject({ segment: segmentName(1), compressed: false });
  });

  it('includes foreign .jsonl files (pid 0, mtime as start) and skips hidden, temporary and other files', async () => {
    writeSegment(dir, 'traces', 'collector-export.jsonl', '{}\n');
    writeSegment(dir, 'traces', '.hidden.jsonl', '{}\n');
    writeSegment(dir, 'traces', `${segmentName(1)}.gz.tmp`, 'partial');
    writeSegment(dir, 'traces', 'notes.txt', 'hello');
    const segments = await listSegments(dir, ['traces']);
    expect(segments).toHaveLength(1);
    expect(segments[0]).toMatchObject({ segment: 'collector-export.jsonl', pid: 0 });
    expect(segments[0]!.startedAt).toBe(segments[0]!.mtimeMs);
  });

  it('returns an empty list for a missing spool or signal directory', async () => {
    expect(await listSegments(join(dir, 'missing'))).toEqual([]);
    mkdirSync(join(dir, 'traces'));
    writeFileSync(join(dir, 'traces', 'ignored'), '');
    expect(await listSegments(dir)).toEqual([]);
  });
});
