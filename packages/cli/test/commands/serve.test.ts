import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSpool } from '@otelspool/exporter-jsonl';

// Runs the built CLI (dist/): `npx tsc -b` first (npm test does).
const BIN = fileURLToPath(new URL('../../dist/bin/spool.js', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-serve-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('spool serve', () => {
  it('prints its URL, receives OTLP into the spool and flushes on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--dir', dir, '--port', '0', '--json', '--no-dashboard'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        try {
          resolve((JSON.parse(stdout) as { url: string }).url);
        } catch {
          // wait for the whole document
        }
      });
      void exited.then(() => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const body = {
      resourceLogs: [
        {
          scopeLogs: [
            { logRecords: [{ timeUnixNano: '1', body: { stringValue: 'hello serve' } }] },
          ],
        },
      ],
    };
    const res = await fetch(`${url}/v1/logs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/1 log records/);
    const bodies: string[] = [];
    for await (const r of readSpool(dir, { signals: ['logs'] }))
      bodies.push(JSON.stringify(r.data));
    expect(bodies.join()).toContain('hello serve');
  });
});
