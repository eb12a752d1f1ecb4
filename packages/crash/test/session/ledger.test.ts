import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendLedgerEntrySync,
  readSessionLedger,
  type LedgerStart,
} from '../../src/session/ledger.js';
import { ledgerPath } from '@otelspool/exporter-jsonl/internal';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const start = (id: string, installId = 'i1'): LedgerStart => ({
  v: 1,
  event: 'start',
  id,
  installId,
  pid: 100,
  startedAt: '2026-11-24T10:00:00.000Z',
  serviceName: 'svc',
  hostName: 'h',
  os: { type: 'Linux', version: '6' },
});

describe('session ledger', () => {
  it('counts each session once; the first terminal state wins', () => {
    appendLedgerEntrySync(dir, start('a'));
    appendLedgerEntrySync(dir, start('b', 'i2'));
    appendLedgerEntrySync(dir, start('c'));
    appendLedgerEntrySync(dir, {
      v: 1,
      event: 'end',
      id: 'a',
      state: 'crashed',
      endedAt: 't1',
      crashReportId: 'r1',
    });
    appendLedgerEntrySync(dir, { v: 1, event: 'end', id: 'a', state: 'abnormal', endedAt: 't2' });
    appendLedgerEntrySync(dir, {
      v: 1,
      event: 'end',
      id: 'b',
      state: 'exited',
      endedAt: 't3',
      exitCode: 0,
    });
    appendLedgerEntrySync(dir, start('a')); // duplicate start is ignored
    const ledger = readSessionLedger(dir);
    expect(ledger.counts).toEqual({ total: 3, exited: 1, crashed: 1, abnormal: 0, running: 1 });
    expect(ledger.sessions.map((s) => [s.id, s.state])).toEqual([
      ['a', 'crashed'],
      ['b', 'exited'],
      ['c', 'running'],
    ]);
    expect(ledger.sessions[0]).toMatchObject({ endedAt: 't1', crashReportId: 'r1' });
    expect(ledger.installs).toBe(2);
  });

  it('skips torn and foreign lines without failing', () => {
    appendLedgerEntrySync(dir, start('a'));
    appendFileSync(
      ledgerPath(dir),
      'not json\n{"event":"end","id":"a","state":"weird"}\n{"v":1,"event":"sta',
    );
    const ledger = readSessionLedger(dir);
    expect(ledger.counts.total).toBe(1);
    expect(ledger.sessions[0]?.state).toBe('running');
    expect(ledger.skippedLines).toBe(3);
  });

  it('a missing ledger is an empty one', () => {
    expect(readSessionLedger(join(dir, 'nope'))).toEqual({
      sessions: [],
      counts: { total: 0, exited: 0, crashed: 0, abnormal: 0, running: 0 },
      installs: 0,
      skippedLines: 0,
    });
  });
});
