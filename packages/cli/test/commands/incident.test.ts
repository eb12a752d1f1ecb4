import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySeverity, type IncidentImpact } from '../../src/analysis/index.js';
import {
  appendLines,
  logsLine,
  segmentName,
  T0,
  tempSpool,
  tracesLine,
  writeCrash,
  writeLedger,
  type SessionSpec,
} from '../analysis/report-fixture.js';
import { run } from './capture.js';

const HOUR = 3_600_000;
const SIG = 'eeeeeeeeeeeeeeee';
const TRACE = 'abcdefabcdefabcdefabcdefabcdef01';
let dir: string;
let cleanup: () => void;

// 7 crashes of one group: 1 in hour 12, 1 in hour 13, 5 in hour 14 (a spike), in sessions s1-s3
// on two hosts; 30 sessions ran in that time → 3 / 30 = 10 % of sessions → SEV-1.
beforeAll(() => {
  ({ dir, cleanup } = tempSpool('spool-incident-cmd-'));
  const sessions: SessionSpec[] = Array.from({ length: 30 }, (_, k) => ({
    id: `s${k + 1}`,
    installId: `i${(k % 10) + 1}`,
    startedMs: T0 + k * 60_000,
    state: k < 3 ? 'crashed' : 'exited',
    endedMs: T0 + 3 * HOUR,
  }));
  writeLedger(dir, sessions);
  const at = [
    T0 + 60_000,
    T0 + HOUR + 60_000,
    ...[1, 2, 3, 4, 5].map((m) => T0 + 2 * HOUR + m * 60_000),
  ];
  at.forEach((atMs, k) => {
    const session = k === 0 ? 's1' : k === 1 ? 's2' : 's3';
    writeCrash(dir, {
      id: `f${String(k).padStart(15, '0')}`,
      atMs,
      signature: SIG,
      sessionId: session,
      installId: session === 's1' ? 'i1' : session === 's2' ? 'i2' : 'i3',
      host: k === 0 ? 'studio-2' : 'studio-1',
      version: k === 0 ? '1.4.1' : '1.4.2',
      ...(k === 6 ? { traceId: TRACE } : {}),
    });
  });
  writeCrash(dir, {
    id: 'f9999999999999999',
    atMs: T0,
    signature: 'ffffffffffffffff',
    sessionId: 's9',
    installId: 'i9',
    host: 'x',
    version: '1',
    message: 'another bug',
  });
  appendLines(dir, 'traces', segmentName(), [
    tracesLine('synth', [
      {
        name: 'preset.load',
        startMs: T0 + 2 * HOUR + 299_000,
        durationMs: 12,
        traceId: TRACE,
        error: true,
      },
      { name: 'ui.click', startMs: T0 + 2 * HOUR + 298_000, durationMs: 1, traceId: TRACE },
    ]),
    tracesLine(
      'synth',
      [{ name: 'scan.plugins', startMs: T0 + 30_000, durationMs: 40, error: true }],
      { 'session.id': 's1' },
    ),
    tracesLine('synth', [{ name: 'unrelated', startMs: T0, durationMs: 3, error: true }], {
      'session.id': 's20',
    }),
  ]);
  appendLines(dir, 'logs', segmentName(), [
    logsLine(
      'synth',
      [{ atMs: T0 + HOUR + 59_000, severityNumber: 17, body: 'bank checksum mismatch' }],
      { 'session.id': 's2' },
    ),
    logsLine('synth', [{ atMs: T0 + HOUR, severityNumber: 9, body: 'info in crashed session' }], {
      'session.id': 's2',
    }),
  ]);
});
afterAll(() => cleanup());

describe('spool incident', () => {
  it('writes a Markdown report with every section', async () => {
    const out = join(dir, 'incident.md');
    const { code, stderr } = await run(['incident', SIG.slice(0, 6), '--dir', dir, '--out', out]);
    expect(stderr).toContain(`wrote ${out}`);
    expect(code).toBe(0);
    const md = readFileSync(out, 'utf8');
    for (const heading of [
      '# Incident: TypeError: preset bank "Warm Pads" is corrupt',
      '## Impact',
      '## Timeline',
      '## Representative crash',
      '## Breadcrumbs',
      '## Related spans and errors',
      '## Post-mortem',
      '### Root cause',
      '### Action items',
    ]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain('**Severity:** SEV-1 — 10.0 % of sessions');
    expect(md).toContain('| occurrences | 7 |');
    expect(md).toContain('| sessions affected | 3 of 30 running since first seen (10.0 %) |');
    expect(md).toContain('| hosts | studio-2, studio-1 |');
    expect(md).toContain('| versions | 1.4.1, 1.4.2 |');
    expect(md).toContain(`- **First seen:** ${new Date(T0 + 60_000).toISOString()}`);
    expect(md).toContain(
      `- **Spike:** 5 crashes in the hour from ${new Date(T0 + 2 * HOUR).toISOString()}`,
    );
    expect(md).toContain(`- **Last seen:** ${new Date(T0 + 2 * HOUR + 300_000).toISOString()}`);
    expect(md).toContain('at loadPresetBank (~/app/host.mjs:4:39)');
    expect(md).toContain(`trace \`${TRACE}\``);
    expect(md).toContain('loaded reverb \\| chorus'); // pipes escaped inside tables
    expect(md).toMatch(/preset\.load \| 12\.0 ms \| ERROR boom \| `abcdef[0-9a-f]+` \| trace \|/);
    expect(md).toMatch(/ui\.click \| 1\.0 ms \| ok \|.*\| trace \|/);
    expect(md).toMatch(/scan\.plugins \| 40\.0 ms \| ERROR boom \|.*\| session \|/);
    expect(md).not.toContain('unrelated');
    expect(md).toContain('bank checksum mismatch');
    expect(md).not.toContain('info in crashed session');
    expect(md).not.toContain('another bug');
  });

  it('--json gives the incident data', async () => {
    const { code, stdout } = await run(['incident', SIG, '--dir', dir, '--json']);
    expect(code).toBe(0);
    const i = JSON.parse(stdout);
    expect(i.severity.level).toBe('SEV-1');
    expect(i.impact).toMatchObject({
      occurrences: 7,
      sessions: 3,
      users: 3,
      sessionsSinceFirstSeen: 30,
    });
    expect(i.timeline.buckets.map((b: { count: number }) => b.count)).toEqual([1, 1, 5]);
    expect(i.relatedTotals).toEqual({ spans: 3, logs: 1 });
  });

  it('finds a group by one of its report ids and fails clearly on unknown ids', async () => {
    const byReport = await run(['incident', 'f000000000000003', '--dir', dir]);
    expect(byReport.code).toBe(0);
    expect(byReport.stdout).toContain(`\`${SIG}\``);
    const missing = await run(['incident', 'nope1234', '--dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no crash group or report matches 'nope1234'");
  });
});

describe('classifySeverity', () => {
  const base: IncidentImpact = {
    occurrences: 1,
    sessions: 1,
    users: 1,
    hosts: ['h'],
    versions: ['1'],
    sessionsSinceFirstSeen: 1000,
    sessionShare: 0.001,
    usersSinceFirstSeen: 100,
    userShare: 0.01,
    launchCrashes: 0,
  };
  it('grades by impact', () => {
    expect(classifySeverity(base).level).toBe('SEV-4');
    expect(classifySeverity({ ...base, occurrences: 2 }).level).toBe('SEV-3');
    expect(classifySeverity({ ...base, hosts: ['a', 'b'] }).level).toBe('SEV-3');
    expect(classifySeverity({ ...base, users: 3 }).level).toBe('SEV-2');
    expect(classifySeverity({ ...base, sessionShare: 0.02 }).level).toBe('SEV-2');
    expect(classifySeverity({ ...base, sessionShare: 0.1 }).level).toBe('SEV-1');
    expect(classifySeverity({ ...base, userShare: 0.25 }).level).toBe('SEV-1');
    expect(classifySeverity({ ...base, launchCrashes: 3 }).level).toBe('SEV-1');
  });
});
