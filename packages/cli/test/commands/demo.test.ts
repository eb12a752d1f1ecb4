import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const spool = fileURLToPath(new URL('../../dist/bin/spool.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'otelspool-demo-'));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [spool, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('spool demo', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes all three signals and the metrics snapshot, and summarises the run', () => {
    const { code, stdout, stderr } = run('demo', '--dir', dir, '--duration', '1', '--json');
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.exitCode).toBe(0);
    expect(summary.blocks).toBeGreaterThan(10);
    expect(summary.records.traces).toBeGreaterThan(summary.blocks);
    expect(summary.records.metrics).toBeGreaterThan(0);
    expect(summary.records.logs).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'metrics_snapshot.json'))).toBe(true);
  });

  it('--crash crashes the host, `spool crashes` lists it and the next run reports it', () => {
    const crashed = run('demo', '--dir', dir, '--duration', '1', '--crash', '--json');
    expect(crashed.code, crashed.stderr).toBe(0); // asked for a crash: the command succeeded
    const crashSummary = JSON.parse(crashed.stdout);
    expect(crashSummary.crashed).toBe(true);
    expect(crashSummary.exitCode).toBe(1); // what Node gives an uncaught exception

    const groups = JSON.parse(run('crashes', '--dir', dir, '--json').stdout);
    const list = Array.isArray(groups) ? groups : groups.groups;
    expect(list).toHaveLength(1);
    expect(list[0].type).toBe('TypeError');
    expect(list[0].message).toContain('coefficients');

    const next = JSON.parse(run('demo', '--dir', dir, '--duration', '1', '--json').stdout);
    expect(next.previousSession.crashed).toBe(true);
    expect(next.previousSession.lastCrash.type).toBe('TypeError');
    const text = run('demo', '--dir', dir, '--duration', '0.5');
    expect(text.stdout).not.toContain('previous demo session crashed'); // only the run right after
  });

  it('rejects a bad duration as a usage error', () => {
    expect(run('demo', '--dir', dir, '--duration', 'soon').code).toBe(2);
  });
});
