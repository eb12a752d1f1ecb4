// Issue 11, items 1 and 2: the session ledger is never appended to through a planted link or
// FIFO, and it is read from its tail (bounded), whatever its size.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendLedgerEntrySync,
  MAX_LEDGER_BYTES,
  readSessionLedger,
  type LedgerStart,
} from '../../src/session/ledger.js';
import { ledgerPath } from '@otelspool/exporter-jsonl/internal';

const posix = process.platform !== 'win32';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-hostile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const start = (id: string): LedgerStart => ({
  v: 1,
  event: 'start',
  id,
  installId: 'i1',
  pid: 100,
  startedAt: '2026-11-24T10:00:00.000Z',
  serviceName: 'svc',
  hostName: 'h',
  os: { type: 'Linux', version: '6' },
});

describe.skipIf(!posix)('session ledger under attack', () => {
  it('reads only the tail of a ledger far larger than the cap', () => {
    appendLedgerEntrySync(dir, start('old')); // beyond the tail: not read
    const path = ledgerPath(dir);
    truncateSync(path, MAX_LEDGER_BYTES + 10 * 1024 * 1024); // a sparse hole of NULs
    appendFileSync(path, '\n' + JSON.stringify(start('recent')) + '\n');
    const t0 = performance.now();
    const ledger = readSessionLedger(dir);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(ledger.sessions.map((s) => s.id)).toEqual(['recent']);
    // The tail starts inside the run of NULs: that partial first line is dropped, not decoded.
    expect(ledger.skippedLines).toBe(0);
  });

  it('refuses a ledger that is a symlink, a FIFO, or writable by others', () => {
    mkdirSync(join(dir, 'session'), { mode: 0o700 });
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'victim\n');
    symlinkSync(victim, ledgerPath(dir));
    expect(() => appendLedgerEntrySync(dir, start('a'))).toThrow(/ELOOP/);
    expect(readFileSync(victim, 'utf8')).toBe('victim\n');
    rmSync(ledgerPath(dir));
    execFileSync('mkfifo', [ledgerPath(dir)]);
    expect(() => appendLedgerEntrySync(dir, start('a'))).toThrow(/ENXIO|regular file/);
    expect(readSessionLedger(dir).sessions).toEqual([]);
    rmSync(ledgerPath(dir));
    closeSync(openSync(ledgerPath(dir), 'w'));
    appendLedgerEntrySync(dir, start('mine'));
    expect(readSessionLedger(dir).sessions).toHaveLength(1);
    chmodSync(ledgerPath(dir), 0o666);
    expect(readSessionLedger(dir).sessions).toEqual([]);
  });
});
