// /api/search through the real dashboard handler on 127.0.0.1: every filter, sort and page,
// the refusal of bad parameters, and the total checked against an independent count of the
// spool (readSpool + forEachSpan).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forEachSpan, readSpool, type TracesData } from '@otelspool/exporter-jsonl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardHandler, type DashboardHandler } from '../../src/web/index.js';
import { appendLines, hex, makeSpoolDir, segmentName, tracesLine } from './spool-fixture.js';

interface Hit {
  traceId: string;
  spanId: string;
  name: string;
  service: string;
  startTimeMs: number;
  durationMs: number;
  error: boolean;
}
interface SearchBody {
  total: number;
  offset: number;
  limit: number;
  hits: Hit[];
}

const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);
const SPANS = 300;
const SERVICES = ['plugin-host', 'sync-agent'];
const ROUTES = ['/presets', '/banks', '/render'];

/** Deterministic pseudo-random numbers: the same spool on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('/api/search', () => {
  let spool: ReturnType<typeof makeSpoolDir>;
  let server: Server;
  let handler: DashboardHandler;
  let base: string;
  const slowErrorTrace = hex(0xdead, 32);
  const slowErrorSpan = hex(0xbeef, 16);

  beforeAll(async () => {
    spool = makeSpoolDir();
    const random = lcg(7);
    for (const [s, service] of SERVICES.entries()) {
      const spans = [];
      for (let i = 0; i < SPANS / SERVICES.length; i++) {
        const n = s * 1000 + i;
        spans.push({
          traceId: hex(0x1000 + Math.floor(n / 3), 32),
          spanId: hex(0x100000 + n, 16),
          name: i % 5 === 0 ? 'db.query' : `GET ${ROUTES[i % ROUTES.length]}`,
          startMs: T0 + n * 1000,
          durationMs: 1 + Math.round(random() * 400 * 1000) / 1000,
          error: i % 11 === 0,
          attributes: {
            'http.route': ROUTES[i % ROUTES.length]!,
            'preset.bank': i % 4 === 0 ? 'Warm Pads' : 'Strings',
          },
        });
      }
      appendLines(spool.dir, 'traces', segmentName(), [tracesLine(spans, service)]);
    }
    // The span a user hunts for: slow, failing, with a telling attribute.
    appendLines(spool.dir, 'traces', segmentName(), [
      tracesLine([
        {
          traceId: slowErrorTrace,
          spanId: slowErrorSpan,
          name: 'load.preset',
          startMs: T0 + 5_000_000,
          durationMs: 2500,
          error: true,
          attributes: { 'preset.bank': 'Broken Bank' },
        },
      ]),
    ]);
    handler = createDashboardHandler(spool.dir, { pollIntervalMs: 250 });
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    handler.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    spool.cleanup();
  });

  async function search(query: string): Promise<SearchBody> {
    const response = await fetch(`${base}/api/search?${query}`);
    expect(response.status, `${query}: ${await response.clone().text()}`).toBe(200);
    return (await response.json()) as SearchBody;
  }

  async function refused(query: string): Promise<string> {
    const response = await fetch(`${base}/api/search?${query}`);
    expect(response.status, query).toBe(400);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('bad_request');
    return body.message;
  }

  /** Spans matching `predicate`, counted straight from the spool. */
  async function countInSpool(
    predicate: (span: {
      name: string;
      service: string;
      durationMs: number;
      startMs: number;
      error: boolean;
      attrs: Map<string, string>;
    }) => boolean,
  ): Promise<number> {
    let n = 0;
    for await (const record of readSpool(spool.dir, { signals: ['traces'] })) {
      forEachSpan(record.data as TracesData, (span, _ss, rs) => {
        const service =
          rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? '';
        const start = BigInt(span.startTimeUnixNano ?? 0);
        const end = BigInt(span.endTimeUnixNano ?? 0);
        const attrs = new Map(
          (span.attributes ?? []).map((a) => [a.key, a.value?.stringValue ?? ''] as const),
        );
        if (
          predicate({
            name: span.name ?? '',
            service,
            durationMs: Number(end - start) / 1e6,
            startMs: Number(start / 1_000_000n),
            error: span.status?.code === 2,
            attrs,
          })
        ) {
          n++;
        }
      });
    }
    return n;
  }

  it('finds the slow error span by attribute, and its total is the only match', async () => {
    const body = await search(
      'attr=preset.bank%3DBroken%20Bank&error=true&minDuration=1s&sort=duration',
    );
    expect(body.total).toBe(1);
    expect(body.hits).toEqual([
      expect.objectContaining({
        traceId: slowErrorTrace,
        spanId: slowErrorSpan,
        name: 'load.preset',
        durationMs: 2500,
        error: true,
      }),
    ]);
  });

  it('counts every match in the spool, not only the page it returns', async () => {
    const cases: Array<[string, Parameters<typeof countInSpool>[0]]> = [
      ['', () => true],
      ['service=sync-agent', (s) => s.service === 'sync-agent'],
      ['name=get%20/pres', (s) => s.name.toLowerCase().includes('get /pres')],
      ['error=1', (s) => s.error],
      ['minDuration=100ms&maxDuration=0.3s', (s) => s.durationMs >= 100 && s.durationMs <= 300],
      ['attr=preset.bank%3DWarm%20Pads', (s) => s.attrs.get('preset.bank') === 'Warm Pads'],
      [
        'attr=preset.bank%3DWarm%20Pads&attr=http.route%3D/presets&service=plugin-host',
        (s) =>
          s.attrs.get('preset.bank') === 'Warm Pads' &&
          s.attrs.get('http.route') === '/presets' &&
          s.service === 'plugin-host',
      ],
      [
        `since=${T0 + 50_000}&until=${new Date(T0 + 120_000).toISOString()}`,
        (s) => s.startMs >= T0 + 50_000 && s.startMs < T0 + 120_000, // until is exclusive
      ],
    ];
    for (const [query, predicate] of cases) {
      const expected = await countInSpool(predicate);
      const body = await search(`${query}&limit=10`);
      expect(body.total, query).toBe(expected);
      expect(body.hits.length, query).toBe(Math.min(10, expected));
    }
    // The demo spool is big enough that the filters above really cut something.
    expect(await countInSpool(() => true)).toBe(SPANS + 1);
  });

  it('sorts by duration and by time, both ways, and pages without overlap', async () => {
    const slowest = await search('sort=duration&order=desc&limit=20');
    const durations = slowest.hits.map((h) => h.durationMs);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
    expect(slowest.hits[0]!.spanId).toBe(slowErrorSpan);

    const fastest = await search('sort=duration&order=asc&limit=5');
    expect(fastest.hits[0]!.durationMs).toBeLessThanOrEqual(fastest.hits[4]!.durationMs);

    const newest = await search('limit=5');
    expect(newest.hits[0]!.spanId).toBe(slowErrorSpan); // the latest start
    const oldest = await search('sort=time&order=asc&limit=5');
    const starts = oldest.hits.map((h) => h.startTimeMs);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(starts[0]).toBe(T0);

    const seen = new Set<string>();
    let offset = 0;
    for (;;) {
      const page = await search(`sort=duration&limit=70&offset=${offset}`);
      for (const hit of page.hits) seen.add(hit.spanId);
      offset += page.hits.length;
      if (page.hits.length < 70) break;
    }
    expect(seen.size).toBe(SPANS + 1);
  });

  it('refuses bad parameters with a 400 that says what was wrong', async () => {
    expect(await refused('limit=0')).toMatch(/limit must be an integer from 1 to 500/);
    expect(await refused('limit=abc')).toMatch(/limit/);
    expect(await refused('limit=501')).toMatch(/limit/);
    expect(await refused('offset=-1')).toMatch(/offset/);
    expect(await refused('offset=9990&limit=50')).toMatch(/offset \+ limit/);
    expect(await refused('minDuration=fast')).toMatch(/minDuration "fast": expected a duration/);
    expect(await refused('minDuration=2s&maxDuration=1s')).toMatch(/larger than maxDuration/);
    expect(await refused('error=maybe')).toMatch(/error must be true or false/);
    expect(await refused('attr=nokey')).toMatch(/attr "nokey": expected key=value/);
    expect(await refused('attr=%3Dvalue')).toMatch(/expected key=value/);
    expect(await refused('since=yesterday')).toMatch(/since "yesterday"/);
    expect(await refused('since=2026-11-25&until=2026-11-24')).toMatch(/later than until/);
    expect(await refused('sort=name')).toMatch(/sort must be one of time, duration/);
    expect(await refused('order=up')).toMatch(/order must be one of desc, asc/);
    expect(await refused('servce=x')).toMatch(/unknown parameter "servce"/);
    expect(await refused('service=a&service=b')).toMatch(/more than once/);
    expect(await refused(`name=${'x'.repeat(201)}`)).toMatch(/name is too long/);
    expect(await refused(Array.from({ length: 9 }, (_, i) => `attr=k${i}%3Dv`).join('&'))).toMatch(
      /at most 8 attr/,
    );
  });
});
