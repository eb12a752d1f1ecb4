// Issue 11, items 1 and 2: the spool's fs helpers refuse dirs and files another local user
// could control, never open through a symlink, and read state files bounded.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnsafeSpoolPathError, SpoolWriter } from '../../src/index.js';
import { ensureSpoolDirSync, readStateFileSync, writeFileAtomicSync } from '../../src/internal.js';

const posix = process.platform !== 'win32';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelspool-safe-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!posix)('spool dirs', () => {
  it('creates root and subdirs 0700 and reuses them', () => {
    const spool = join(dir, 'spool');
    expect(ensureSpoolDirSync(spool, 'session')).toBe(join(spool, 'session'));
    ensureSpoolDirSync(spool, 'session');
    expect(readdirSync(spool)).toEqual(['session']);
  });

  it('refuses a symlinked subdir and a world-writable root, naming path and reason', () => {
    const spool = join(dir, 'spool');
    const victim = join(dir, 'victim');
    mkdirSync(spool, { mode: 0o700 });
    mkdirSync(victim);
    symlinkSync(victim, join(spool, 'traces'));
    expect(() => ensureSpoolDirSync(spool, 'traces')).toThrow(
      `refusing to use ${join(spool, 'traces')}: it is a symbolic link, not a directory`,
    );
    chmodSync(spool, 0o777);
    expect(() => ensureSpoolDirSync(spool, 'logs')).toThrow(UnsafeSpoolPathError);
    expect(() => ensureSpoolDirSync(spool, 'logs')).toThrow(/writable by others \(mode 0777/);
    expect(existsSync(join(spool, 'logs'))).toBe(false);
  });

  it('the writer writes nothing through a planted link and counts unsafe_dir drops', async () => {
    const victim = join(dir, 'victim');
    mkdirSync(victim);
    symlinkSync(victim, join(dir, 'traces'));
    const writer = new SpoolWriter({ dir, durability: 'none' });
    writer.append('traces', '{"resourceSpans":[]}', 3);
    writer.append('logs', '{"resourceLogs":[]}', 2);
    await writer.shutdown();
    expect(readdirSync(victim)).toEqual([]);
    const stats = writer.stats();
    expect(stats.dropped.unsafe_dir).toBe(3);
    expect(stats.errors.EUNSAFEDIR).toBeGreaterThan(0);
    expect(stats.written.records).toBe(2); // logs/ is fine
  });

  it('an atomic write refuses a symlink in the target place', () => {
    const victim = join(dir, 'victim-file');
    writeFileSync(victim, 'victim');
    symlinkSync(victim, join(dir, 'consent.json'));
    expect(() => writeFileAtomicSync(join(dir, 'consent.json'), 'x')).toThrow(/symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('victim');
  });
});

describe.skipIf(!posix)('readStateFileSync', () => {
  it('reads a small regular file', () => {
    writeFileSync(join(dir, 's'), 'abc', { mode: 0o600 });
    const r = readStateFileSync(join(dir, 's'), { maxBytes: 10, secret: true });
    expect(r.ok && r.data.toString()).toBe('abc');
  });

  it('refuses FIFOs, devices, symlinks, oversize and loose modes without blocking', () => {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    symlinkSync('/dev/zero', join(dir, 'zero'));
    writeFileSync(join(dir, 'big'), 'x'.repeat(100), { mode: 0o600 });
    writeFileSync(join(dir, 'loose'), '{}', { mode: 0o600 });
    chmodSync(join(dir, 'loose'), 0o666);
    const t0 = Date.now();
    const reason = (name: string, opts = {}) => {
      const r = readStateFileSync(join(dir, name), { maxBytes: 10, ...opts });
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason('fifo')).toBe('not_regular');
    expect(reason('zero')).toBe('symlink');
    expect(readStateFileSync('/dev/zero', { maxBytes: 10 }).ok).toBe(false);
    expect(reason('big')).toBe('too_large');
    expect(reason('loose', { trusted: true })).toBe('insecure_mode');
    expect(reason('loose')).toBe('ok');
    expect(reason('missing')).toBe('missing');
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
