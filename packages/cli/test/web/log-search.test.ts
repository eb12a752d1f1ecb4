// /api/logs through the real dashboard handler on 127.0.0.1: the filters of `spool logs`
// (LogQL subset, service, severity, grep, regex, attr, trace, session, since/until, paging),
// refusals with the engine's own message, and the total checked against an independent count
// of the spool (readSpool + forEachLogRecord).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forEachLogRecord, readSpool, type LogsData } from '@otelspool/exporter-jsonl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardHandler, type DashboardHandler } from '../../src/web/index.js';
import {
  appendLines,
  hex,
  logsLine,
  makeSpoolDir,
  segmentName,
  type FixtureLog,
} from './spool-fixture.js';

interface Hit {
  timeMs: number | null;
  severityNumber: number;
  severity: string;
  service: string;
  body: string;
  attributes: Record<string, string>;
  traceId: string | null;
  spanId: string | null;
  sessionId: string | null;
  crashReportId: string | null;
  crashSignature: string | null;
}
interface LogsBody {
  total: number;
  offset: number;
  limit: number;
  records: Hit[];
}

const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);
const PER_SERVICE = 150;
const SERVICES = ['plugin-host', 'sync-agent'];
const ROUTES = ['/presets', '/banks', '/render'];
const SEVERITIES: Array<[number, string]> = [
  [9, 'INFO'],
  [5, 'DEBUG'],
  [13, 'WARN'],
  [17, 'ERROR'],
];
const FATAL_TRACE = hex(0xdead, 32);
const FATAL_SPAN = hex(0xbeef, 16);
const FATAL_REPORT = '20261124T100000000Z_4242_ab12';
const FATAL_SIGNATURE = '0123456789abcdef';
const FATAL_SESSION = 'session-crashed';

describe('/api/logs', () => {
  let spool: ReturnType<typeof makeSpoolDir>;
  let server: Server;
  let handler: DashboardHandler;
  let base: string;

  beforeAll(async () => {
    spool = makeSpoolDir();
    for (const [s, service] of SERVICES.entries()) {
      const records: FixtureLog[] = [];
      for (let i = 0; i < PER_SERVICE; i++) {
        const n = s * 1000 + i;
        const [severityNumber, severityText] = SEVERITIES[i % SEVERITIES.length]!;
        records.push({
          timeMs: T0 + n * 1000,
          severityNumber,
          severityText,
          body:
            i % 7 === 0 ? `cache miss for bank ${i}` : `GET ${ROUTES[i % 3]} answered in ${i} ms`,
          ...(i % 5 === 0 ? { traceId: hex(0x1000 + n, 32), spanId: hex(0x2000 + n, 16) } : {}),
          attributes: {
            'http.route': ROUTES[i % 3]!,
            'session.id': `session-${i % 4}`,
          },
        });
      }
      appendLines(spool.dir, 'logs', segmentName(), [logsLine(records, service)]);
    }
    // The crash: a FATAL record as the crash handler writes it (crash-events.ts), linked to
    // its trace, its report and its group's signature.
    appendLines(spool.dir, 'logs', segmentName(), [
      logsLine(
        [
          {
            timeMs: T0 + 5_000_000,
            severityNumber: 21,
            severityText: 'FATAL',
            body: 'TypeError: preset bank "Warm Pads" is corrupt',
            traceId: FATAL_TRACE,
            spanId: FATAL_SPAN,
            attributes: {
              'exception.type': 'TypeError',
              'session.id': FATAL_SESSION,
              'otelspool.crash.report_id': FATAL_REPORT,
              'otelspool.crash.signature': FATAL_SIGNATURE,
              'otelspool.crash.origin': 'uncaughtException',
            },
          },
        ],
        'plugin-host',
      ),
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

  async function logs(query: string): Promise<LogsBody> {
    const response = await fetch(`${base}/api/logs?${query}`);
    expect(response.status, `${query}: ${await response.clone().text()}`).toBe(200);
    return (await response.json()) as LogsBody;
  }

  async function refused(query: string): Promise<string> {
    const response = await fetch(`${base}/api/logs?${query}`);
    expect(response.status, query).toBe(400);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('bad_request');
    return body.message;
  }

  /** Log records matching `predicate`, counted straight from the spool. */
  async function countInSpool(
    predicate: (r: {
      service: string;
      severityNumber: number;
      body: string;
      timeMs: number;
      traceId: string;
      attrs: Map<string, string>;
    }) => boolean,
  ): Promise<number> {
    let n = 0;
    for await (const record of readSpool(spool.dir, { signals: ['logs'] })) {
      forEachLogRecord(record.data as LogsData, (log, _sl, rl) => {
        const service =
          rl.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? '';
        const attrs = new Map(
          (log.attributes ?? []).map((a) => [a.key, a.value?.stringValue ?? ''] as const),
        );
        const ok = predicate({
          service,
          severityNumber: log.severityNumber ?? 0,
          body: log.body?.stringValue ?? '',
          timeMs: Number(BigInt(log.timeUnixNano ?? '0') / 1_000_000n),
          traceId: log.traceId ?? '',
          attrs,
        });
        if (ok) n++;
      });
    }
    return n;
  }

  it('finds the FATAL crash record by severity and by a LogQL query, with its links', async () => {
    const bySeverity = await logs('severity=fatal');
    expect(bySeverity.total).toBe(1);
    expect(bySeverity.records).toEqual([
      expect.objectContaining({
        severity: 'FATAL',
        severityNumber: 21,
        service: 'plugin-host',
        body: 'TypeError: preset bank "Warm Pads" is corrupt',
        traceId: FATAL_TRACE,
        spanId: FATAL_SPAN,
        sessionId: FATAL_SESSION,
        crashReportId: FATAL_REPORT,
        crashSignature: FATAL_SIGNATURE,
        timeMs: T0 + 5_000_000,
      }),
    ]);
    expect(bySeverity.records[0]!.attributes['exception.type']).toBe('TypeError');

    const q = encodeURIComponent('{service_name="plugin-host", level="fatal"} |= "Warm Pads"');
    const byLogql = await logs(`q=${q}`);
    expect(byLogql.total).toBe(1);
    expect(byLogql.records[0]!.traceId).toBe(FATAL_TRACE);

    const byLabel = encodeURIComponent(
      '{service_name=~"plugin-.*"} | otelspool_crash_origin="uncaughtException"',
    );
    expect((await logs(`q=${byLabel}`)).records[0]?.crashReportId).toBe(FATAL_REPORT);
    expect((await logs(`trace=${FATAL_TRACE.toUpperCase()}`)).total).toBe(1);
    expect((await logs(`session=${FATAL_SESSION}`)).total).toBe(1);
  });

  it('counts every match in the spool, not only the page it returns', async () => {
    const cases: Array<[string, Parameters<typeof countInSpool>[0]]> = [
      ['', () => true],
      ['service=sync-agent', (r) => r.service === 'sync-agent'],
      ['severity=warn', (r) => r.severityNumber >= 13],
      [
        'severity=error&service=plugin-host',
        (r) => r.severityNumber >= 17 && r.service === 'plugin-host',
      ],
      ['grep=cache%20miss', (r) => r.body.includes('cache miss')],
      ['grep=GET&grep=/banks', (r) => r.body.includes('GET') && r.body.includes('/banks')],
      ['regex=answered%20in%20%5Cd%7B3%7D', (r) => /answered in \d{3}/.test(r.body)],
      ['attr=http.route%3D/render', (r) => r.attrs.get('http.route') === '/render'],
      ['attr=http.route!%3D/render', (r) => r.attrs.get('http.route') !== '/render'],
      [
        'attr=session.id%3D~session-%5B12%5D',
        (r) => /^session-[12]$/.test(r.attrs.get('session.id') ?? ''),
      ],
      ['attr=session.id!~session-.*', (r) => !/^session-.*$/.test(r.attrs.get('session.id') ?? '')],
      ['session=session-3', (r) => r.attrs.get('session.id') === 'session-3'],
      [`trace=${hex(0x1000 + 10, 32)}`, (r) => r.traceId === hex(0x1000 + 10, 32)],
      [
        `since=${T0 + 50_000}&until=${new Date(T0 + 120_000).toISOString()}`,
        (r) => r.timeMs >= T0 + 50_000 && r.timeMs < T0 + 120_000,
      ],
      [
        `q=${encodeURIComponent('{service_name="sync-agent"} != "cache" |~ "/(banks|render)"')}`,
        (r) =>
          r.service === 'sync-agent' &&
          !r.body.includes('cache') &&
          /\/(banks|render)/.test(r.body),
      ],
      [
        `q=${encodeURIComponent('{level=~"warn|error"} | http_route="/presets"')}&service=plugin-host`,
        (r) =>
          (r.severityNumber === 13 || r.severityNumber === 17) &&
          r.attrs.get('http.route') === '/presets' &&
          r.service === 'plugin-host',
      ],
    ];
    for (const [query, predicate] of cases) {
      const expected = await countInSpool(predicate);
      const body = await logs(`${query}&limit=10`);
      expect(body.total, query).toBe(expected);
      expect(body.records.length, query).toBe(Math.min(10, expected));
    }
    // Big enough that the filters above really cut something.
    expect(await countInSpool(() => true)).toBe(SERVICES.length * PER_SERVICE + 1);
  });

  it('returns the newest first and pages back without overlap', async () => {
    const newest = await logs('limit=5');
    expect(newest.records[0]!.severity).toBe('FATAL'); // the latest record
    const times = newest.records.map((r) => r.timeMs ?? 0);
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const seen = new Set<number>();
    let offset = 0;
    let pages = 0;
    for (;;) {
      const page = await logs(`limit=70&offset=${offset}`);
      for (const r of page.records) seen.add(r.timeMs ?? -1);
      offset += page.records.length;
      pages++;
      if (page.records.length < 70) break;
    }
    // Every record has its own time in this spool, so distinct times = distinct records.
    expect(seen.size).toBe(SERVICES.length * PER_SERVICE + 1);
    expect(pages).toBe(Math.ceil((SERVICES.length * PER_SERVICE + 1) / 70));
    const beyond = await logs('limit=10&offset=5000');
    expect(beyond.records).toEqual([]);
    expect(beyond.total).toBe(SERVICES.length * PER_SERVICE + 1);
  });

  it('refuses bad parameters with a 400 that says what was wrong', async () => {
    const logql = (text: string): string => `q=${encodeURIComponent(text)}`;
    expect(await refused(logql('count_over_time({service_name="x"}[5m])'))).toMatch(
      /outside the subset/,
    );
    expect(await refused(logql('{service_name="x"} | logfmt'))).toMatch(
      /`\| logfmt`.*outside the subset/,
    );
    expect(await refused(logql('{service_name=~".*"}'))).toMatch(/does not match the empty value/);
    expect(await refused(logql('{service_name="x"'))).toMatch(/LogQL/);
    expect(await refused(logql('{service_name="x"} |~ "(unclosed"'))).toMatch(
      /not a valid regular expression/,
    );
    expect(await refused('regex=%5Bz-a%5D')).toMatch(
      /^regex "\[z-a\]": not a valid regular expression/,
    );
    expect(await refused('attr=k%3D~(')).toMatch(/not a valid regular expression/);
    expect(await refused('attr=nokey')).toMatch(/attr "nokey": expected key=value/);
    expect(await refused('severity=loud')).toMatch(/^severity "loud": expected trace, debug/);
    expect(await refused('trace=xyz')).toMatch(/^trace "xyz": expected 32 hex digits/);
    expect(await refused('since=yesterday')).toMatch(/since "yesterday"/);
    expect(await refused('since=2026-11-25&until=2026-11-24')).toMatch(/later than until/);
    expect(await refused('limit=0')).toMatch(/limit must be an integer from 1 to 500/);
    expect(await refused('limit=501')).toMatch(/limit/);
    expect(await refused('offset=-1')).toMatch(/offset/);
    expect(await refused('offset=9990&limit=50')).toMatch(/offset \+ limit/);
    expect(await refused('servce=x')).toMatch(/unknown parameter "servce"/);
    expect(await refused('service=a&service=b')).toMatch(/more than once/);
    expect(await refused(`service=${'x'.repeat(201)}`)).toMatch(/service is too long/);
    expect(await refused(Array.from({ length: 9 }, (_, i) => `attr=k${i}%3Dv`).join('&'))).toMatch(
      /at most 8 attr/,
    );
  });
});
