import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDashboardHandler, type DashboardHandler } from '../../src/web/index.js';
import {
  appendLines,
  hex,
  makeSpoolDir,
  segmentName,
  tracesLine,
  writeCrashReportFixture,
} from './spool-fixture.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw request: the path is sent exactly as given (fetch would normalise `..`). */
function rawRequest(
  port: number,
  path: string,
  options: { method?: string; host?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${port}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);

describe('createDashboardHandler', () => {
  let spool: ReturnType<typeof makeSpoolDir>;
  let server: Server;
  let handler: DashboardHandler;
  let port: number;

  beforeEach(async () => {
    spool = makeSpoolDir();
    handler = createDashboardHandler(spool.dir, { pollIntervalMs: 250 });
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    handler.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    spool.cleanup();
  });

  it('serves the page and its assets, uPlot included, with a strict CSP', async () => {
    const page = await rawRequest(port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('/assets/uPlot.iife.min.js');

    const uplot = await rawRequest(port, '/assets/uPlot.iife.min.js');
    expect(uplot.status).toBe(200);
    expect(uplot.headers['content-type']).toContain('text/javascript');
    expect(uplot.body).toContain('uPlot');
    const css = await rawRequest(port, '/assets/uPlot.min.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toContain('text/css');

    // Every module the page imports is served.
    const entry = await rawRequest(port, '/assets/dashboard.js');
    expect(entry.status).toBe(200);
    for (const [, name] of entry.body.matchAll(/from '\.\/([a-z-]+\.js)'/g)) {
      expect((await rawRequest(port, `/assets/${name}`)).status, name).toBe(200);
    }

    const head = await rawRequest(port, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it.each([
    '/assets/../package.json',
    '/assets/..%2Fpackage.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/assets/..%5C..%5Cpackage.json',
    '/assets//etc/passwd',
    '/assets/%2Fetc%2Fpasswd',
    '/assets/.hidden.js',
    '/assets/dashboard.js%00.css',
    '/../../../../etc/passwd',
    '/api/crashes/..%2F..%2Fconsent.json',
    '/api/traces/..%2F..',
  ])('refuses traversal attempt %s without reading outside the assets', async (path) => {
    const reply = await rawRequest(port, path);
    expect([400, 404]).toContain(reply.status);
    expect(reply.body).not.toContain('"name"');
    expect(reply.body).not.toContain('root:');
    expect(JSON.parse(reply.body)).toHaveProperty('error');
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('answers %s with 405', async (method) => {
    const reply = await rawRequest(port, '/api/report', { method });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(reply.body)).toMatchObject({ error: 'method_not_allowed' });
  });

  it('refuses a foreign Host header (DNS rebinding) and accepts loopback ones', async () => {
    expect((await rawRequest(port, '/', { host: 'evil.example' })).status).toBe(403);
    expect((await rawRequest(port, '/', { host: `localhost:${port}` })).status).toBe(200);
    expect((await rawRequest(port, '/', { host: `[::1]:${port}` })).status).toBe(200);
  });

  it('answers unknown paths and bad parameters with JSON errors', async () => {
    const missing = await rawRequest(port, '/nope');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toContain('application/json');
    expect((await rawRequest(port, '/api/nope')).status).toBe(404);
    expect((await rawRequest(port, '/api/traces?limit=-3')).status).toBe(400);
    expect((await rawRequest(port, '/api/traces?limit=abc')).status).toBe(400);
    expect((await rawRequest(port, '/api/traces/not-a-trace-id')).status).toBe(400);
    expect((await rawRequest(port, `/api/traces/${'a'.repeat(32)}`)).status).toBe(404);
    expect((await rawRequest(port, '/api/crashes/no-such-crash')).status).toBe(404);
  });

  it('lists recent traces newest first and lays one out as a waterfall', async () => {
    const segment = segmentName();
    for (let t = 0; t < 3; t++) {
      const traceId = hex(t + 1, 32);
      const start = T0 + t * 1000;
      appendLines(spool.dir, 'traces', segment, [
        tracesLine([
          // children are exported before their parent, as the SDK does
          {
            traceId,
            spanId: hex(10 * t + 2, 16),
            parentSpanId: hex(10 * t + 1, 16),
            name: 'db.query',
            startMs: start + 5,
            durationMs: 20,
          },
          {
            traceId,
            spanId: hex(10 * t + 3, 16),
            parentSpanId: hex(10 * t + 2, 16),
            name: 'db.connect',
            startMs: start + 6,
            durationMs: 4,
            error: t === 2,
          },
          {
            traceId,
            spanId: hex(10 * t + 1, 16),
            name: `request ${t}`,
            startMs: start,
            durationMs: 100,
          },
        ]),
      ]);
    }

    const list = await rawRequest(port, '/api/traces?limit=2');
    expect(list.status).toBe(200);
    const { traces } = JSON.parse(list.body) as { traces: Array<Record<string, unknown>> };
    expect(traces.map((t) => t.traceId)).toEqual([hex(3, 32), hex(2, 32)]);
    expect(traces[0]).toMatchObject({
      rootName: 'request 2',
      service: 'demo-host',
      spanCount: 3,
      errorCount: 1,
      startTimeMs: T0 + 2000,
    });
    expect(traces[0]!.durationMs).toBeCloseTo(100, 6);

    const detail = await rawRequest(port, `/api/traces/${hex(3, 32).toUpperCase()}`);
    expect(detail.status).toBe(200);
    const trace = JSON.parse(detail.body) as {
      durationMs: number;
      spans: Array<{
        name: string;
        depth: number;
        startOffsetMs: number;
        durationMs: number;
        statusCode: number;
      }>;
    };
    expect(trace.durationMs).toBeCloseTo(100, 6);
    expect(trace.spans.map((s) => [s.name, s.depth])).toEqual([
      ['request 2', 0],
      ['db.query', 1],
      ['db.connect', 2],
    ]);
    expect(trace.spans[1]!.startOffsetMs).toBeCloseTo(5, 6);
    expect(trace.spans[2]!.durationMs).toBeCloseTo(4, 6);
    expect(trace.spans[2]!.statusCode).toBe(2);
  });

  it('serves the shared report (buildReport) and refuses a bad --since', async () => {
    appendLines(spool.dir, 'traces', segmentName(), [
      tracesLine([
        { traceId: hex(1, 32), spanId: hex(1, 16), name: 'GET /a', startMs: T0, durationMs: 10 },
        {
          traceId: hex(2, 32),
          spanId: hex(2, 16),
          name: 'GET /a',
          startMs: T0,
          durationMs: 30,
          error: true,
        },
      ]),
    ]);
    const reply = await rawRequest(port, '/api/report');
    expect(reply.status).toBe(200);
    const report = JSON.parse(reply.body) as {
      schemaVersion: number;
      spans: {
        overall: { count: number; errors: number };
        byName: Array<{ name: string; count: number }>;
      };
    };
    expect(report.schemaVersion).toBe(1);
    expect(report.spans.overall).toMatchObject({ count: 2, errors: 1 });
    expect(report.spans.byName).toEqual([expect.objectContaining({ name: 'GET /a', count: 2 })]);

    const filtered = await rawRequest(port, '/api/report?service=someone-else');
    expect((JSON.parse(filtered.body) as typeof report).spans.overall.count).toBe(0);

    const bad = await rawRequest(port, '/api/report?since=yesterday-ish');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: 'bad_request' });
  });

  it('recomputes the report when the spool grows, not before', async () => {
    const segment = segmentName();
    const span = (n: number) => ({
      traceId: hex(n, 32),
      spanId: hex(n, 16),
      name: 's',
      startMs: T0,
      durationMs: 1,
    });
    appendLines(spool.dir, 'traces', segment, [tracesLine([span(1)])]);
    const first = JSON.parse((await rawRequest(port, '/api/report')).body) as {
      generatedAt: string;
      spans: { overall: { count: number } };
    };
    const again = JSON.parse((await rawRequest(port, '/api/report')).body) as typeof first;
    expect(again.generatedAt).toBe(first.generatedAt); // served from the per-version cache
    appendLines(spool.dir, 'traces', segment, [tracesLine([span(2)])]);
    const grown = JSON.parse((await rawRequest(port, '/api/report')).body) as typeof first;
    expect(grown.spans.overall.count).toBe(2);
  });

  it('lists crash groups (bounded) and serves one crash report with its stack', async () => {
    const older = writeCrashReportFixture(spool.dir, {
      id: 'aaaa1111bbbb2222',
      time: '2026-11-24T08:00:00.000Z',
    });
    const newer = writeCrashReportFixture(spool.dir, {
      id: 'cccc3333dddd4444',
      time: '2026-11-24T09:00:00.000Z',
    });

    const list = await rawRequest(port, '/api/crashes');
    expect(list.status).toBe(200);
    const body = JSON.parse(list.body) as { total: number; groups: Array<Record<string, unknown>> };
    expect(body.total).toBe(1);
    expect(body.groups[0]).toMatchObject({
      id: 'sig0000000000001',
      type: 'TypeError',
      count: 2,
      hosts: ['studio-1'],
      versions: ['1.4.2'],
      reportIds: [older, newer],
      sessionCount: 2,
      installCount: 1,
    });
    expect(body.groups[0]).not.toHaveProperty('sessions');
    // Per-release and per-host counts of the group.
    writeCrashReportFixture(spool.dir, {
      id: 'eeee5555ffff6666',
      time: '2026-11-24T09:10:00.000Z',
      host: 'laptop-2',
      version: '1.5.0',
    });
    const split = JSON.parse((await rawRequest(port, '/api/crashes')).body) as {
      groups: Array<{
        count: number;
        firstSeen: string;
        lastSeen: string;
        byVersion: unknown;
        byHost: unknown;
      }>;
    };
    expect(split.groups[0]).toMatchObject({
      count: 3,
      firstSeen: '2026-11-24T08:00:00.000Z',
      lastSeen: '2026-11-24T09:10:00.000Z',
      byVersion: [
        { key: '1.4.2', count: 2 },
        { key: '1.5.0', count: 1 },
      ],
      byHost: [
        { key: 'studio-1', count: 2 },
        { key: 'laptop-2', count: 1 },
      ],
    });

    const report = await rawRequest(port, `/api/crashes/${newer}`);
    expect(report.status).toBe(200);
    const crash = JSON.parse(report.body) as {
      error: { frames: Array<{ function: string; inApp: boolean }> };
    };
    expect(crash.error.frames.map((f) => [f.function, f.inApp])).toEqual([
      ['loadPresetBank', true],
      ['listOnTimeout', false],
    ]);
    // readCrashReport accepts a unique prefix; an ambiguous one is a client error.
    expect((await rawRequest(port, '/api/crashes/cccc')).status).toBe(200);
    writeCrashReportFixture(spool.dir, {
      id: 'cccc9999eeee0000',
      time: '2026-11-24T09:30:00.000Z',
    });
    expect((await rawRequest(port, '/api/crashes/cccc')).status).toBe(400);
  });

  it('sends a live event when the spool grows', async () => {
    const segment = segmentName();
    appendLines(spool.dir, 'traces', segment, [
      tracesLine([
        { traceId: hex(1, 32), spanId: hex(1, 16), name: 'first', startMs: T0, durationMs: 1 },
      ]),
    ]);

    const events: Array<{ event: string; data: string }> = [];
    let onEvent: (() => void) | undefined;
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/events' });
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    let buffer = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event !== undefined && data !== undefined) events.push({ event, data });
        onEvent?.();
      }
    });
    const waitFor = (name: string): Promise<{ event: string; data: string }> =>
      new Promise((resolve) => {
        const check = (): void => {
          const found = events.find((e) => e.event === name);
          if (found) resolve(found);
        };
        onEvent = check;
        check();
      });

    const hello = await waitFor('hello');
    const helloVersion = (JSON.parse(hello.data) as { version: string }).version;
    expect(helloVersion).toEqual(expect.any(String));

    appendLines(spool.dir, 'traces', segment, [
      tracesLine([
        { traceId: hex(2, 32), spanId: hex(2, 16), name: 'second', startMs: T0 + 5, durationMs: 1 },
      ]),
    ]);
    const grew = await waitFor('spool');
    expect((JSON.parse(grew.data) as { version: string }).version).not.toBe(helloVersion);

    req.destroy();
  });
});
