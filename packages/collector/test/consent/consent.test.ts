import {
  mkdtempSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  denyConsent,
  ensureSalt,
  grantConsent,
  readConsent,
  revokeConsent,
} from '../../src/consent/consent.js';
import { createConsentGate } from '../../src/processors/processors.js';
import { piiLogs, piiMetrics, piiTraces } from '../fixtures/pii-corpus.js';
import { countRecords } from '@otelspool/exporter-jsonl';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'consent-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('consent', () => {
  it('is unknown by default and when the file is corrupt (fail closed)', () => {
    expect(readConsent(dir).state).toBe('unknown');
    writeFileSync(join(dir, 'consent.json'), '{"state":"granted"'); // torn write
    expect(readConsent(dir).state).toBe('unknown');
  });

  it('grant / revoke / deny round-trip with a stable per-install salt, owner-only file', () => {
    const granted = grantConsent(dir);
    expect(granted).toMatchObject({ state: 'granted', signals: 'all' });
    expect(granted.salt).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, 'consent.json')).mode & 0o777).toBe(0o600);
    expect(grantConsent(dir, { signals: 'crashes' })).toMatchObject({
      signals: 'crashes',
      salt: granted.salt,
    });
    expect(revokeConsent(dir)).toMatchObject({ state: 'denied', salt: granted.salt });
    expect(JSON.parse(readFileSync(join(dir, 'consent.json'), 'utf8')).state).toBe('denied');
  });

  it('ensureSalt creates a salt without granting', () => {
    const salt = ensureSalt(dir);
    expect(readConsent(dir)).toMatchObject({ state: 'unknown', salt });
    expect(ensureSalt(dir)).toBe(salt);
  });

  it('deny --purge deletes recorded data but keeps the choice', () => {
    const recorded = ['traces', 'logs', 'metrics', 'crashes', 'sync', 'index', 'import'];
    for (const sub of recorded) {
      mkdirSync(join(dir, sub));
      writeFileSync(join(dir, sub, 'x.jsonl'), '{}\n');
    }
    denyConsent(dir, { purge: true });
    for (const sub of recorded) expect(existsSync(join(dir, sub))).toBe(false);
    expect(readConsent(dir).state).toBe('denied');
  });
});

describe('consent gate processor', () => {
  const item = <T>(signal: 'traces' | 'metrics' | 'logs', data: T) => ({
    signal,
    data: data as never,
    records: countRecords(signal, data as never),
  });

  it('passes nothing unless granted', () => {
    for (const state of ['unknown', 'denied'] as const) {
      const gate = createConsentGate(() => ({ state, signals: 'all', salt: 'x' }));
      expect(gate.process(item('logs', piiLogs()))).toBeUndefined();
      expect(gate.process(item('traces', piiTraces()))).toBeUndefined();
    }
  });

  it('crashes-only keeps FATAL / app.crash logs and drops metrics and ordinary spans', () => {
    const gate = createConsentGate(() => ({ state: 'granted', signals: 'crashes', salt: 'x' }));
    const logs = gate.process(item('logs', piiLogs()));
    expect(logs?.records).toBe(1);
    expect(gate.process(item('metrics', piiMetrics()))).toBeUndefined();
    expect(gate.process(item('traces', piiTraces()))).toBeUndefined();
  });
});
