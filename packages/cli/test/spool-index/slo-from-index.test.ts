import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexDbPath } from '@otelspool/exporter-jsonl/internal';
import { computeSlo, type SloResult } from '../../src/analysis/slo.js';
import { sloFoldFromIndex } from '../../src/spool-index/slo-from-index.js';
import { runSpool as run } from './built-cli.js';

// `spool slo` from the index must be the scan's, field for field: on real spools written by
// `spool demo`, and on a generated spool whose spans spread over hours in shuffled order (the
// window edges, the hour sketches, negative and zero durations, spans without a service name).
const root = mkdtempSync(join(tmpdir(), 'otelspool-index-slo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function slo(dir: string, ...args: string[]): SloResult {
  return JSON.parse(
    run('slo', '--dir', dir, '--json', '--availability', '99', ...args),
  ) as SloResult;
}

function expectSame(dir: string, ...args: string[]): SloResult {
  const scan = slo(dir, '--no-index', ...args);
  const indexed = slo(dir, ...args);
  expect(indexed, args.join(' ')).toEqual(scan);
  return indexed;
}

function traceSegments(dir: string): string[] {
  return readdirSync(join(dir, 'traces'))
    .filter((n) => n.endsWith('.jsonl'))
    .sort();
}

interface SpanLike {
  name?: string;
  startTimeUnixNano?: string;
}

/** Every span of the traces segments, with the service of its resource. */
function demoSpans(dir: string): { service: string | undefined; span: SpanLike }[] {
  const out: { service: string | undefined; span: SpanLike }[] = [];
  for (const name of traceSegments(dir)) {
    for (const line of readFileSync(join(dir, 'traces', name), 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      const data = JSON.parse(line) as {
        resourceSpans: {
          resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
          scopeSpans: { spans: SpanLike[] }[];
        }[];
      };
      for (const rs of data.resourceSpans) {
        const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value
          .stringValue;
        for (const ss of rs.scopeSpans) for (const span of ss.spans) out.push({ service, span });
      }
    }
  }
  return out;
}

describe('spool slo from the index (demo spools)', () => {
  const dir = join(root, 'demo');
  beforeAll(() => {
    run('demo', '--dir', dir, '--duration', '1', '--json');
    run('demo', '--dir', dir, '--duration', '1', '--crash', '--json');
  });

  it('scans while there is no index, then equals the scan for every option set', async () => {
    expect(existsSync(indexDbPath(dir))).toBe(false);
    const noIndex = expectSame(dir);
    expect(existsSync(indexDbPath(dir))).toBe(false); // a view never creates the index
    run('index', '--dir', dir);
    expect(await sloFoldFromIndex(dir, { windowMinutes: 60 })).toBeDefined();
    const all = expectSame(dir);
    expect(all).toEqual(noIndex);
    expect(all.sli.total).toBeGreaterThan(0);
    expect(all.sli.p95Ms).not.toBeNull();

    const spans = demoSpans(dir);
    const service = spans.find((s) => s.service !== undefined)!.service!;
    const name = spans.find((s) => s.span.name !== undefined)!.span.name!;
    const slow = expectSame(dir, '--latency-p95', '1ms');
    expect(slow.sli.slow).toBeGreaterThan(0);
    expectSame(dir, '--latency-p95', '50ms', '--window', '1m');
    expectSame(dir, '--latency-p95', '0.25ms', '--window', '5m');
    expect(expectSame(dir, '--service', service).sli.total).toBeGreaterThan(0);
    expect(expectSame(dir, '--service', 'no-such-service').sli.total).toBe(0);
    const named = expectSame(dir, '--span', name, '--latency-p95', '2ms');
    expect(named.sli.total).toBeGreaterThan(0);
    expect(named.sli.total).toBeLessThan(all.sli.total);
    expectSame(dir, '--span', 'no-such-span');
    expectSame(
      dir,
      '--availability',
      '99.9',
      '--service',
      service,
      '--span',
      name,
      '--window',
      '2h',
    );
  });

  it('equals the scan with --since (on span start, as the scan filters)', async () => {
    const starts = demoSpans(dir)
      .map((s) => Number(s.span.startTimeUnixNano) / 1e6)
      .sort((a, b) => a - b);
    for (const sinceUnixMs of [starts[Math.floor(starts.length / 2)]!, starts[0]!, Date.now()]) {
      const options = { availability: 0.99, latencyP95Ms: 1, sinceUnixMs };
      const scan = await computeSlo(dir, { ...options, index: false });
      expect(await computeSlo(dir, options)).toEqual(scan);
    }
    const mid = await computeSlo(dir, {
      availability: 0.99,
      sinceUnixMs: starts[Math.floor(starts.length / 2)]!,
    });
    expect(mid.sli.total).toBeGreaterThan(0);
    expect(mid.sli.total).toBeLessThan(starts.length);
  });

  it('stays equal after another run and lines appended to the active segment', () => {
    run('demo', '--dir', dir, '--duration', '1', '--json');
    expectSame(dir, '--latency-p95', '1ms');
    const [first, last] = [traceSegments(dir)[0]!, traceSegments(dir).at(-1)!];
    const lines = readFileSync(join(dir, 'traces', first), 'utf8')
      .split('\n')
      .filter(Boolean);
    appendFileSync(join(dir, 'traces', last), `${lines[0]}\n{"not otlp\n${lines[1]}\n`);
    expectSame(dir, '--latency-p95', '1ms', '--window', '10m');
  });
});

/** mulberry32: a small seeded generator, so a failure can be replayed with SLO_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NS_PER_MS = 1_000_000n;

function tracesLine(service: string | undefined, spans: object[]): string {
  const resource =
    service === undefined
      ? {}
      : { resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] } };
  return JSON.stringify({ resourceSpans: [{ ...resource, scopeSpans: [{ spans }] }] });
}

describe('spool slo from the index (generated spans over hours, shuffled)', () => {
  const seed = Number(process.env.SLO_SEED ?? Date.now() % 2 ** 31);
  const dir = join(root, 'generated');
  const segment = join(dir, 'traces', '20261202T000000000Z_1_abcd_000001.jsonl');

  beforeAll(() => {
    console.log(`slo-from-index generated spool: SLO_SEED=${seed}`);
    const rand = random(seed);
    // 06:00 on a day, plus up to 7 h: windows of 1m…1d cut the data at minutes and inside hours.
    const base = BigInt(Date.UTC(2026, 11, 1, 6)) * NS_PER_MS;
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      const spans: object[] = [];
      for (let j = 0; j < 10; j++) {
        const end = base + BigInt(Math.floor(rand() * 7 * 3_600_000_000)) * 1000n + 123n;
        // Mostly 0-20 ms; some zero, some negative (end before start).
        const r = rand();
        const duration =
          r < 0.05 ? 0n : r < 0.1 ? -1_000_000n : BigInt(Math.floor(rand() * 20_000_000));
        spans.push({
          traceId: (i * 16 + j + 1).toString(16).padStart(32, '0'),
          spanId: (j + 1).toString(16).padStart(16, '0'),
          name: ['load', 'render', 'save'][Math.floor(rand() * 3)],
          startTimeUnixNano: String(end - duration),
          endTimeUnixNano: String(end),
          ...(rand() < 0.1 ? { status: { code: 2 } } : rand() < 0.1 ? { status: { code: 1 } } : {}),
        });
      }
      lines.push(tracesLine(['a', 'b', undefined][i % 3], spans));
    }
    mkdirSync(join(dir, 'traces'), { recursive: true, mode: 0o700 });
    writeFileSync(segment, `${lines.join('\n')}\n`, { mode: 0o600 });
    run('index', '--dir', dir);
  });

  it('equals the scan for windows cutting minutes and hours, services and names', async () => {
    const all = expectSame(dir, '--latency-p95', '10ms', '--window', '1d');
    expect(all.sli.total).toBe(3000);
    // Answered from the index, not by its fallback to the scan.
    expect(await sloFoldFromIndex(dir, { windowMinutes: 60 })).toBeDefined();
    for (const window of ['1m', '7m', '59m', '90m', '2h', '3h', '5h']) {
      const r = expectSame(dir, '--latency-p95', '10ms', '--window', window);
      expect(r.sli.total).toBeLessThan(3000);
    }
    expectSame(dir, '--latency-p95', '5ms', '--window', '90m', '--service', 'a');
    expectSame(dir, '--window', '3h', '--service', 'unknown_service');
    expectSame(dir, '--latency-p95', '15ms', '--window', '2h', '--span', 'render');
  });

  it('falls back to the scan for a span the index stores without an exact time', async () => {
    // A u64 end beyond int64: the index stores NULL, the scan reads a (far future) number.
    appendFileSync(
      segment,
      `${tracesLine('a', [
        {
          traceId: 'f'.repeat(32),
          spanId: 'f'.repeat(16),
          name: 'late',
          startTimeUnixNano: '1',
          endTimeUnixNano: '18446744073709551615',
        },
      ])}\n`,
    );
    const r = expectSame(dir, '--window', '1h');
    expect(r.sli.total).toBe(1);
    expect(await sloFoldFromIndex(dir, { windowMinutes: 60 })).toBeUndefined();
    expect(await sloFoldFromIndex(dir, { windowMinutes: 60, service: 'b' })).toBeDefined();
    // A span without a start: no duration, but counted; the index cannot tell it from the above.
    appendFileSync(
      segment,
      `${tracesLine('b', [
        { traceId: 'e'.repeat(32), spanId: 'e'.repeat(16), name: 'open', endTimeUnixNano: '5' },
      ])}\n`,
    );
    expectSame(dir, '--window', '1d', '--service', 'b');
  });
});
