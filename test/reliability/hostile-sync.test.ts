// A hostile or broken sync endpoint (issue 11, items 7 and 8, and the threat model's "sync
// endpoints may redirect, lie, stall or answer huge"): real node:http servers on 127.0.0.1
// answering as the attacker would, driving the real `spool sync` CLI (dist) on a spool made
// by the real writer. Asserts exit codes, printed counts and cursors.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { grantConsent } from '@otelspool/collector';
import { SpoolWriter } from '@otelspool/exporter-jsonl';
import { runSpool, stopAll } from './helpers/processes.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { recordFigure } from './helpers/figures.js';
import { syncSelfMetricPoints } from './helpers/spool-check.js';

const TRACES = 7;
const LOGS = 3;

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

interface Endpoint {
  url: string;
  port: number;
  requests: { path: string; headers: IncomingMessage['headers'] }[];
}

const servers: Server[] = [];

/** A real HTTP server on 127.0.0.1 that reads each request, then answers with `handler`. */
async function endpoint(handler: Handler): Promise<Endpoint> {
  const requests: Endpoint['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers });
      handler(req, res, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, requests };
}

const json = (res: ServerResponse, body: string, status = 200): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
};
const ok: Handler = (req, res) => {
  const proto = (req.headers['content-type'] ?? '').includes('protobuf');
  if (proto) res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  else json(res, '{}');
};
const rejectedField = (req: IncomingMessage): string =>
  (req.url ?? '').endsWith('/traces') ? 'rejectedSpans' : 'rejectedLogRecords';

/** 7 spans and 3 log records, one per line, written by the real spool writer. */
async function spool(): Promise<string> {
  const dir = await tempDir('hostile-sync');
  const writer = new SpoolWriter({ dir, durability: 'none' });
  for (let i = 0; i < TRACES; i++) {
    const spanId = (i + 1).toString(16).padStart(16, '0');
    writer.append(
      'traces',
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '0123456789abcdef0123456789abcdef',
                    spanId,
                    name: `op-${i}`,
                    kind: 1,
                    startTimeUnixNano: '1000',
                    endTimeUnixNano: '2000',
                  },
                ],
              },
            ],
          },
        ],
      }),
      1,
    );
  }
  for (let i = 0; i < LOGS; i++) {
    writer.append(
      'logs',
      JSON.stringify({
        resourceLogs: [
          {
            scopeLogs: [
              { logRecords: [{ timeUnixNano: String(i + 1), body: { stringValue: 'x' } }] },
            ],
          },
        ],
      }),
      1,
    );
  }
  await writer.shutdown();
  grantConsent(dir);
  return dir;
}

/** Bytes acknowledged per signal in the destination's cursor file (0 when there is none). */
function cursorBytes(
  dir: string,
  port: number,
  name = `127.0.0.1_${port}`,
): Record<string, number> {
  const out: Record<string, number> = { traces: 0, logs: 0 };
  const file = join(dir, 'sync', `${name}.json`);
  if (!existsSync(file)) return out;
  const cursor = JSON.parse(readFileSync(file, 'utf8')) as { segments?: Record<string, number> };
  for (const [segment, position] of Object.entries(cursor.segments ?? {})) {
    const signal = segment.split('/')[0] as string;
    out[signal] = (out[signal] ?? 0) + Math.max(0, position);
  }
  return out;
}

/** Bytes of each signal in the spool (what a complete cursor reaches). */
function spoolBytes(dir: string): Record<string, number> {
  const out: Record<string, number> = { traces: 0, logs: 0 };
  for (const signal of ['traces', 'logs']) {
    for (const f of readdirSync(join(dir, signal)).filter((n) => n.endsWith('.jsonl')))
      out[signal]! += readFileSync(join(dir, signal, f)).length;
  }
  return out;
}

async function sync(dir: string, endpointUrl: string, ...extra: string[]) {
  const started = Date.now();
  const r = await runSpool([
    'sync',
    '--dir',
    dir,
    '--endpoint',
    endpointUrl,
    '--timeout',
    '2000',
    '--max-retries',
    '1',
    ...extra,
  ]);
  return { ...r, ms: Date.now() - started };
}

const deadLetters = (dir: string): number =>
  existsSync(join(dir, 'dead-letter')) ? readdirSync(join(dir, 'dead-letter')).length : 0;

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});
afterAll(async () => {
  await stopAll();
  await removeTempDirs();
});

describe('hostile sync endpoint: partial success that lies (item 7)', () => {
  it('reads rejected counts after a 100 KB errorMessage, exits 1 and shows the message truncated', async () => {
    const dir = await spool();
    const server = await endpoint((req, res) =>
      json(
        res,
        JSON.stringify({
          partialSuccess: { [rejectedField(req)]: '1', errorMessage: `bad ${'E'.repeat(100_000)}` },
        }),
      ),
    );
    const r = await sync(dir, server.url);
    recordFigure('hostile-sync.partial-100KB', { exit: r.code, ms: r.ms });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `sent ${TRACES + LOGS - 2} records; 2 rejected by the server (partial success)`,
    );
    expect(r.stderr).toMatch(
      /server rejected 1 of 7 traces records \(partial success\): bad E+… \(truncated; the server's message is longer than 4096 characters\)/,
    );
    expect(r.stderr.length).toBeLessThan(20_000); // 100 KB never printed whole
    // Rejected records are never retried (OTLP): the cursor has moved past all of them.
    expect(cursorBytes(dir, server.port)).toEqual(spoolBytes(dir));
  });

  it('clamps absurd and negative claims: "999999999" and "-5" never make "sent" negative', async () => {
    const dir = await spool();
    const server = await endpoint((req, res) => {
      const traces = (req.url ?? '').endsWith('/traces');
      json(
        res,
        JSON.stringify({
          partialSuccess: traces
            ? { rejectedSpans: '999999999', errorMessage: 'lies' }
            : { rejectedLogRecords: '-5', errorMessage: 'lies' },
        }),
      );
    });
    const r = await sync(dir, server.url, '--json');
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as {
      totals: { recordsSent: number; recordsRejected: number };
      warnings: string[];
    };
    expect(summary.totals).toMatchObject({ recordsSent: LOGS, recordsRejected: TRACES });
    expect(summary.warnings.join('\n')).toContain(
      'server claimed 999999999 rejected traces records of 7 sent; counted 7',
    );
    expect(summary.warnings.join('\n')).toContain(
      'server claimed -5 rejected logs records of 3 sent; counted 0',
    );
    const human = await sync(await spool(), server.url);
    expect(human.stdout).not.toMatch(/-\d/);
    expect(human.stdout).toContain(`sent ${LOGS} records; ${TRACES} rejected`);
  });
});

describe('hostile sync endpoint: a 2xx that is not an OTLP endpoint (item 8)', () => {
  const notOtlp: [string, string[], Handler][] = [
    [
      'an HTML page (http/json)',
      [],
      (_req, res) =>
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<html><body>Welcome to nginx!</body></html>'),
    ],
    [
      "the Collector's health check JSON (http/protobuf)",
      ['--protocol', 'http/protobuf'],
      (_req, res) =>
        json(res, '{"status":"Server available","upSince":"2026-12-01T00:00:00Z","uptime":"1h2m"}'),
    ],
    [
      'protobuf garbage (http/protobuf)',
      ['--protocol', 'http/protobuf'],
      (_req, res) =>
        res
          .writeHead(200, { 'content-type': 'application/x-protobuf' })
          .end(Buffer.from([0xff, 0xff, 0xff, 0x7b, 0x7d])),
    ],
  ];

  it.each(notOtlp)(
    '%s: warning naming the endpoint, exit 1, cursor kept, delivered next run',
    async (_name, args, handler) => {
      const dir = await spool();
      const server = await endpoint(handler);
      const r = await sync(dir, server.url, ...args);
      recordFigure(`hostile-sync.not-otlp.${_name}`, {
        exit: r.code,
        ms: r.ms,
        requests: server.requests.length,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `warning: 127.0.0.1_${server.port}: ${server.url}/v1/traces answered 200 but not as an OTLP endpoint`,
      );
      expect(r.stdout).toContain('sent 0 records');
      expect(r.stdout).toContain('1 answer not from an OTLP endpoint (not counted as sent)');
      // The first request told us: nothing more is sent there, nothing counted, nothing lost.
      expect(server.requests).toHaveLength(1);
      expect(cursorBytes(dir, server.port)).toEqual({ traces: 0, logs: 0 });
      expect(deadLetters(dir)).toBe(0);
      // The same destination (same cursor) when it answers as OTLP: everything arrives.
      // (plus the self-metrics the failed run appended to the spool: they ship like any record)
      const healthy = await endpoint(ok);
      const selfMetrics = await syncSelfMetricPoints(dir);
      expect(selfMetrics).toBeGreaterThan(0);
      const again = await sync(dir, healthy.url, '--name', `127.0.0.1_${server.port}`, ...args);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`sent ${TRACES + LOGS + selfMetrics} records`);
      const { traces, logs } = cursorBytes(dir, server.port);
      expect({ traces, logs }).toEqual(spoolBytes(dir));
    },
  );
});

describe('hostile sync endpoint: redirects, stalls, endless bodies (threat model)', () => {
  it('follows no redirect: the Authorization header never reaches the other port; data kept', async () => {
    const dir = await spool();
    const target = await endpoint(ok);
    const redirector = await endpoint((req, res) =>
      res.writeHead(307, { location: `${target.url}${req.url ?? ''}` }).end(),
    );
    const r = await sync(dir, redirector.url, '--header', 'Authorization=Bearer s3cret-token');
    recordFigure('hostile-sync.redirect', { exit: r.code, targetRequests: target.requests.length });
    expect(redirector.requests[0]?.headers.authorization).toBe('Bearer s3cret-token');
    expect(target.requests).toHaveLength(0);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `answered 307 redirect to ${target.url}/v1/traces; redirects are not followed`,
    );
    expect(cursorBytes(dir, redirector.port)).toEqual({ traces: 0, logs: 0 });
    expect(deadLetters(dir)).toBe(0); // not the data's fault: not a dead letter either
  });

  it('a stalling server times out, the run ends, the cursor stays', async () => {
    const dir = await spool();
    const server = await endpoint(() => undefined); // reads the request, never answers
    const r = await sync(dir, server.url, '--timeout', '1000');
    recordFigure('hostile-sync.stall', { exit: r.code, ms: r.ms });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(60_000);
    expect(r.stdout).toContain('no response within 1000 ms');
    expect(cursorBytes(dir, server.port)).toEqual({ traces: 0, logs: 0 });
  });

  it('an endless 200 body is cut at the read cap, long before the timeout, and is not delivery', async () => {
    const dir = await spool();
    const server = await endpoint((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1 << 20, 0x20);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const r = await sync(dir, server.url, '--timeout', '120000');
    recordFigure('hostile-sync.endless-body', { exit: r.code, ms: r.ms });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(60_000); // the 120 s timeout was never needed
    expect(r.stderr).toContain('answered 200 but not as an OTLP endpoint');
    expect(cursorBytes(dir, server.port)).toEqual({ traces: 0, logs: 0 });
  });
});

describe('--endpoint paths (item 8)', () => {
  it.each(['/v1/trace', '/api/traces'])(
    'explains how the URL is used for %s and sends nothing',
    async (path) => {
      const dir = await spool();
      const server = await endpoint(ok);
      const r = await sync(dir, `${server.url}${path}`);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('neither a base URL nor /v1/<signal>');
      expect(r.stderr).toContain(`this would post to ${server.url}${path}/v1/traces`);
      expect(r.stderr).toContain(`--endpoint ${server.url}`);
      expect(server.requests).toHaveLength(0);
    },
  );

  it('a per-signal URL sends that signal there as is (not /v1/traces/v1/traces)', async () => {
    const dir = await spool();
    const server = await endpoint(ok);
    const r = await sync(dir, `${server.url}/v1/traces`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`sent ${TRACES} records`);
    expect(server.requests.map((q) => q.path)).toEqual(['/v1/traces']);
    const mixed = await sync(dir, `${server.url}/v1/traces`, '--signals', 'traces,logs');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain(`Give the base URL ${server.url} to send every signal`);
  });
});
