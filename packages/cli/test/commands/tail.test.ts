import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendLines,
  logsLine,
  metricsLine,
  segmentName,
  T0,
  tempSpool,
  tracesLine,
} from '../analysis/report-fixture.js';
import { run } from './capture.js';

const BIN = fileURLToPath(new URL('../../dist/bin/spool.js', import.meta.url));
let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempSpool('spool-tail-cmd-'));
  appendLines(dir, 'traces', segmentName(), [
    tracesLine('synth', [
      { name: 'process_block', startMs: T0, durationMs: 2.5 },
      { name: 'load_plugin', startMs: T0 + 1, durationMs: 120, error: true },
      { name: 'a', startMs: T0 + 2, durationMs: 1 },
      { name: 'b', startMs: T0 + 3, durationMs: 1 },
    ]),
  ]);
  appendLines(dir, 'logs', segmentName(), [
    logsLine('synth', [
      { atMs: T0 + 5, severityNumber: 17, body: 'disk full' },
      { atMs: T0 + 6, eventName: 'preset.change' },
    ]),
  ]);
  appendLines(dir, 'metrics', segmentName(), [
    metricsLine('synth', [
      { kind: 'gauge', name: 'process.memory.usage', points: [{ atMs: T0 + 7, value: 1234 }] },
    ]),
  ]);
});
afterAll(() => cleanup());

describe('spool tail', () => {
  it('prints one plain line per record', async () => {
    const { code, stdout } = await run(['tail', '--dir', dir]);
    expect(code).toBe(0);
    expect(stdout).not.toContain('\u001b[');
    const lines = stdout.trimEnd().split('\n');
    // One line per span, data point and log record (not per OTLP line), in spool order.
    expect(lines).toEqual([
      `${new Date(T0).toISOString()} traces  synth  process_block 2.5 ms`,
      `${new Date(T0 + 1).toISOString()} traces  synth  load_plugin 120 ms ERROR boom`,
      `${new Date(T0 + 2).toISOString()} traces  synth  a 1.0 ms`,
      `${new Date(T0 + 3).toISOString()} traces  synth  b 1.0 ms`,
      `${new Date(T0 + 7).toISOString()} metrics synth  process.memory.usage=1234`,
      `${new Date(T0 + 5).toISOString()} logs    synth  ERROR disk full`,
      `${new Date(T0 + 6).toISOString()} logs    synth  UNSPECIFIED [preset.change]`,
    ]);
  });

  it('colours severities only when colour is on, never with NO_COLOR or --json', async () => {
    // CI exports NO_COLOR; this test sets the colour environment itself and restores it.
    const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
    delete process.env.NO_COLOR;
    process.env.FORCE_COLOR = '1';
    try {
      expect((await run(['tail', '--dir', dir, '--signal', 'logs'])).stdout).toContain(
        '\u001b[31mERROR',
      );
      expect(
        (await run(['tail', '--dir', dir, '--signal', 'logs', '--json'])).stdout,
      ).not.toContain('\u001b[');
      process.env.NO_COLOR = '1';
      expect((await run(['tail', '--dir', dir, '--signal', 'logs'])).stdout).not.toContain(
        '\u001b[',
      );
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('--json prints each spool line as its normalised OTLP-JSON request with schemaVersion, --signal filters', async () => {
    const { stdout } = await run(['tail', '--dir', dir, '--json', '--signal', 'logs']);
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].schemaVersion).toBe(1);
    expect(Object.keys(lines[0])).toEqual(['resourceLogs', 'schemaVersion']);
    expect(lines[0].resourceLogs[0].scopeLogs[0].logRecords[0]).toMatchObject({
      severityNumber: 17,
      body: { stringValue: 'disk full' },
    });
    expect((await run(['tail', '--dir', dir, '--signal', 'spans'])).code).toBe(2);
  });

  it('--follow prints records other processes append, across rotation, and ends on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'tail', '--dir', dir, '--follow', '--signal', 'traces'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    const waitFor = async (text: string): Promise<void> => {
      for (let i = 0; i < 400 && !out.includes(text); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain(text);
    };
    try {
      await waitFor('process_block');
      const seg = segmentName(77);
      appendLines(dir, 'traces', seg, [
        tracesLine('synth', [{ name: 'appended.later', startMs: T0 + 10, durationMs: 1 }]),
      ]);
      await waitFor('appended.later');
      appendLines(dir, 'traces', seg, [
        tracesLine('synth', [{ name: 'appended.again', startMs: T0 + 10, durationMs: 1 }]),
      ]);
      await waitFor('appended.again');
      // Rotation: the writer seals the segment and opens a new one; the follower must pick it up.
      appendLines(dir, 'traces', segmentName(77), [
        tracesLine('synth', [{ name: 'after.rotation', startMs: T0 + 11, durationMs: 1 }]),
      ]);
      await waitFor('after.rotation');
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(out.match(/appended\.later/g)).toHaveLength(1);
  });
});
