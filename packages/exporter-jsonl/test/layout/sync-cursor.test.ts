import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cursorKey,
  cursorPath,
  listCursors,
  parseCursor,
  readCursor,
  serializeCursor,
  syncDir,
  type CursorFile,
} from '../../src/internal.js';

const cursor: CursorFile = {
  version: 1,
  destination: 'collector',
  urls: ['http://localhost:4318'],
  signals: ['traces', 'logs'],
  updatedAt: '2026-01-01T00:00:00.000Z',
  segments: { [cursorKey('traces', 'seg1.jsonl')]: 120 },
};

describe('parseCursor', () => {
  it('round-trips serializeCursor', () => {
    expect(parseCursor(serializeCursor(cursor), 'collector')).toEqual(cursor);
    expect(cursorKey('logs', 'x.jsonl')).toBe('logs/x.jsonl');
  });

  it('drops invalid positions and unknown signals, keeping the rest', () => {
    const text = JSON.stringify({
      ...cursor,
      signals: ['traces', 'profiles', 7],
      segments: { 'traces/a': 10, 'traces/b': -1, 'traces/c': 'x', 'traces/d': null, 'logs/e': 0 },
      urls: ['u', 3],
    });
    const parsed = parseCursor(text, 'collector');
    expect(parsed?.signals).toEqual(['traces']);
    expect(parsed?.segments).toEqual({ 'traces/a': 10, 'logs/e': 0 });
    expect(parsed?.urls).toEqual(['u']);
  });

  it('fills a missing destination and updatedAt', () => {
    const parsed = parseCursor(JSON.stringify({ version: 1, segments: {} }), 'fallback');
    expect(parsed).toMatchObject({ destination: 'fallback', signals: [], urls: [] });
    expect(parsed?.updatedAt).toBe(new Date(0).toISOString());
  });

  it('refuses other versions, non-JSON, and cursors without segments', () => {
    expect(parseCursor(JSON.stringify({ ...cursor, version: 2 }), 'c')).toBeUndefined();
    expect(parseCursor('{not json', 'c')).toBeUndefined();
    expect(parseCursor('null', 'c')).toBeUndefined();
    expect(parseCursor(JSON.stringify({ version: 1 }), 'c')).toBeUndefined();
  });
});

describe('readCursor and listCursors', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'otelspool-cursor-'));
    mkdirSync(syncDir(dir), { mode: 0o700 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(destination: string, mode = 0o600): string {
    const path = cursorPath(dir, destination);
    writeFileSync(path, serializeCursor({ ...cursor, destination }), { mode });
    chmodSync(path, mode);
    return path;
  }

  it("reads this user's 0600 cursor", () => {
    write('collector');
    expect(readCursor(dir, 'collector')).toEqual(cursor);
    expect(readCursor(dir, 'missing')).toBeUndefined();
  });

  it('refuses a cursor that group or others may write (not 0600 or stricter)', () => {
    write('collector', 0o664);
    expect(readCursor(dir, 'collector')).toBeUndefined();
    write('collector', 0o602);
    expect(readCursor(dir, 'collector')).toBeUndefined();
    write('collector', 0o400);
    expect(readCursor(dir, 'collector')?.destination).toBe('collector');
  });

  it('refuses a cursor that is a symlink, even to a valid cursor', () => {
    const real = join(dir, 'real.json');
    writeFileSync(real, serializeCursor(cursor), { mode: 0o600 });
    symlinkSync(real, cursorPath(dir, 'collector'));
    expect(readCursor(dir, 'collector')).toBeUndefined();
  });

  it('listCursors returns only the readable cursors', () => {
    write('a');
    write('b', 0o666);
    writeFileSync(cursorPath(dir, 'c'), 'garbage', { mode: 0o600 });
    writeFileSync(join(syncDir(dir), 'notes.txt'), 'x', { mode: 0o600 });
    expect(listCursors(dir).map((c) => c.destination)).toEqual(['a']);
    expect(listCursors(join(dir, 'nowhere'))).toEqual([]);
  });
});
