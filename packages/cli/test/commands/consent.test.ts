import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readConsent } from '@otelspool/collector';
import { SpoolWriter } from '@otelspool/exporter-jsonl';
import { run } from './capture.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-consent-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const log = (severityNumber: number) =>
  JSON.stringify({
    resourceLogs: [
      {
        scopeLogs: [
          { logRecords: [{ timeUnixNano: '1', severityNumber, body: { stringValue: 'x' } }] },
        ],
      },
    ],
  });

describe('spool consent', () => {
  it('grant, grant --crashes-only, revoke change the stored state', async () => {
    expect((await run(['consent', 'grant', '--dir', dir])).code).toBe(0);
    expect(readConsent(dir)).toMatchObject({ state: 'granted', signals: 'all' });
    const g = await run(['consent', 'grant', '--crashes-only', '--dir', dir, '--json']);
    expect(JSON.parse(g.stdout)).toMatchObject({ state: 'granted', signals: 'crashes' });
    expect(g.stdout).not.toContain('salt');
    expect((await run(['consent', 'revoke', '--dir', dir])).stdout).toMatch(/denied/);
    expect(readConsent(dir).state).toBe('denied');
  });

  it('status --json shows what would be sent per signal', async () => {
    const writer = new SpoolWriter({ dir, durability: 'none' });
    writer.append('logs', log(9), 1);
    writer.append('logs', log(21), 1);
    await writer.shutdown();
    const unknown = JSON.parse((await run(['consent', 'status', '--dir', dir, '--json'])).stdout);
    expect(unknown).toMatchObject({
      state: 'unknown',
      wouldSend: { traces: 0, metrics: 0, logs: 0 },
    });
    expect(unknown.ifGranted.all.logs).toBe(2);
    await run(['consent', 'grant', '--crashes-only', '--dir', dir]);
    const crashes = JSON.parse((await run(['consent', 'status', '--dir', dir, '--json'])).stdout);
    expect(crashes.wouldSend).toEqual({ traces: 0, metrics: 0, logs: 1 });
  });
});
