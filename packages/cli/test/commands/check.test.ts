import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeXml } from '../../src/commands/check.js';
import {
  appendLines,
  segmentName,
  T0,
  tempSpool,
  tracesLine,
  writeCrash,
  type SpanSpec,
} from '../analysis/report-fixture.js';
import { run } from './capture.js';

let dir: string;
let cleanup: () => void;

// 50 spans: 2 errors (4 %), durations 1..50 ms (p95 ≈ 48 ms); 2 crashes, one with XML-hostile text.
beforeAll(() => {
  ({ dir, cleanup } = tempSpool('spool-check-cmd-'));
  const spans: SpanSpec[] = Array.from({ length: 50 }, (_, k) => ({
    name: 'op',
    startMs: T0 + k,
    durationMs: k + 1,
    error: k < 2,
  }));
  appendLines(dir, 'traces', segmentName(), [tracesLine('synth', spans)]);
  writeCrash(dir, {
    id: 'e1000000000000a1',
    atMs: T0,
    signature: 'dddddddddddddddd',
    sessionId: 's1',
    installId: 'i1',
    host: 'h',
    version: '1',
    message: 'bad <preset> & "quotes"',
  });
  writeCrash(dir, {
    id: 'e1000000000000a2',
    atMs: T0 + 1,
    signature: 'dddddddddddddddd',
    sessionId: 's2',
    installId: 'i1',
    host: 'h',
    version: '1',
    message: 'bad <preset> & "quotes"',
  });
});
afterAll(() => cleanup());

describe('spool check', () => {
  it('exits 0 when every budget holds', async () => {
    const { code, stdout } = await run([
      'check',
      '--dir',
      dir,
      '--max-crashes',
      '2',
      '--max-error-rate',
      '5%',
      '--max-p95',
      '100ms',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('PASS max-crashes: 2 crash(es), within the budget of 2');
    expect(stdout).toContain('PASS max-error-rate: span error rate 4.000 % (2/50), within 5.000 %');
    expect(stdout).toContain('spool check passed');
    expect(stdout).not.toContain('\u001b[');
  });

  it('exits 1 with one readable reason per broken budget', async () => {
    const { code, stdout } = await run([
      'check',
      '--dir',
      dir,
      '--max-crashes',
      '1',
      '--max-error-rate',
      '0.01',
      '--max-p95',
      '10ms',
    ]);
    expect(code).toBe(1);
    expect(stdout).toContain(
      'FAIL max-crashes: 2 crash(es) exceed the budget of 1 — TypeError: bad <preset> & "quotes" ×2 (dddddddddddddddd)',
    );
    expect(stdout).toContain(
      'FAIL max-error-rate: span error rate 4.000 % (2/50) exceeds 1.000 % — most errors: op 2/50',
    );
    expect(stdout).toMatch(/FAIL max-p95: span p95 4\d\.\d ms exceeds 10\.0 ms/);
    expect(stdout).toContain('spool check failed: 3 budget(s) broken');
  });

  it('--json gives the budgets and the exit code still reflects them', async () => {
    const { code, stdout } = await run(['check', '--dir', dir, '--max-crashes', '0', '--json']);
    expect(code).toBe(1);
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({ passed: false, spans: 50, crashes: 2 });
    expect(r.budgets).toEqual([
      expect.objectContaining({ name: 'max-crashes', limit: 0, actual: 2, passed: false }),
    ]);
  });

  it('writes JUnit XML with one testcase per budget and escaped text', async () => {
    const junit = join(dir, 'junit.xml');
    const { code } = await run([
      'check',
      '--dir',
      dir,
      '--max-crashes',
      '0',
      '--max-error-rate',
      '0.5',
      '--junit',
      junit,
    ]);
    expect(code).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml).toContain('<testsuite name="spool check" tests="2" failures="1"');
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toContain('bad &lt;preset&gt; &amp; &quot;quotes&quot;');
    expect(xml).not.toContain('<preset>');
    // Well-formed: every element closes (a YAML parser is no XML parser; count tags instead).
    for (const tag of ['testsuites', 'testsuite', 'testcase', 'failure']) {
      const opens = xml.match(new RegExp(`<${tag}[ >]`, 'g'))?.length ?? 0;
      const closes = xml.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
      expect(closes).toBe(opens);
    }
  });

  it('escapes XML special and illegal characters', () => {
    expect(escapeXml(`a<b>&"c"'d'\u0000\u0007e`)).toBe(
      'a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;e',
    );
  });

  it('exits 2 without a budget or with a bad one', async () => {
    expect((await run(['check', '--dir', dir])).code).toBe(2);
    expect((await run(['check', '--dir', dir, '--max-crashes', '-1'])).code).toBe(2);
    expect((await run(['check', '--dir', dir, '--max-error-rate', '2'])).code).toBe(2);
  });
});
