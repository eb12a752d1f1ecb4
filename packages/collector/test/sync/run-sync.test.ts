import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { denyConsent, grantConsent, revokeConsent } from '../../src/consent/consent.js';
import { listDeadLetters, readDeadLetter } from '../../src/otlp-http/dead-letters.js';
import { readCursor } from '@otelspool/exporter-jsonl/internal';
import { acquireSyncLock, SyncLockedError } from '../../src/cursors/lock.js';
import { writeFileSync } from 'node:fs';
import { resendDeadLetters } from '../../src/sync/resend-dead-letters.js';
import { runSync } from '../../src/sync/run-sync.js';
import type { LogsData } from '@otelspool/exporter-jsonl';
import { OtlpTestServer } from '../helpers/otlp-test-server.js';
import {
  acceptedBodies,
  logsLine,
  metricsLine,
  tracesLine,
  writeSealedSegment,
  writeSpool,
} from '../helpers/spool-fixtures.js';
import { leakedSecrets, piiLogs, piiMetrics, piiTraces } from '../fixtures/pii-corpus.js';

let dir: string;
let server: OtlpTestServer;
const fastRetry = { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 1000 };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sync-'));
  server = new OtlpTestServer();
  await server.start();
});
afterEach(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function spoolOfLogs(lines: number, perLine = 5): Promise<string[]> {
  await writeSpool(
    dir,
    Array.from({ length: lines }, (_, i) => ({
      signal: 'logs' as const,
      data: logsLine(i * perLine, perLine),
      records: perLine,
    })),
  );
  return Array.from({ length: lines * perLine }, (_, i) => `rec-${i}`);
}

describe('runSync', () => {
  it('sends everything once, packs lines under the size cap, and resumes from its cursor', async () => {
    const expected = await spoolOfLogs(40);
    grantConsent(dir);
    const summary = await runSync({
      dir,
      endpoint: server.url,
      maxRequestBytes: 4096,
      retry: fastRetry,
      env: {},
    });
    expect(summary.status).toBe('ok');
    expect(summary.totals.recordsSent).toBe(200);
    expect(server.requests.length).toBeGreaterThan(1);
    expect(server.requests.length).toBeLessThan(40); // lines were merged into requests
    expect(acceptedBodies(server.requests).sort()).toEqual(expected.sort());
    expect(readCursor(dir, '127.0.0.1_' + new URL(server.url).port)).toBeDefined();
    const again = await runSync({ dir, endpoint: server.url, retry: fastRetry, env: {} });
    expect(again.totals.recordsSent).toBe(0);
    expect(server.requests.filter((r) => r.records > 0).length).toBe(summary.totals.requests);
  });

  it.each(['unknown', 'denied'] as const)('sends 0 bytes when consent is %s', async (state) => {
    await spoolOfLogs(3);
    if (state === 'denied') denyConsent(dir);
    const summary = await runSync({ dir, endpoint: server.url, retry: fastRetry, env: {} });
    expect(summary.status).toBe('no-consent');
    expect(summary.consent).toBe(state);
    expect(server.requests).toHaveLength(0);
  });

  it('resumes each segment at the cursor’s line: the bytes already sent are not read again', async () => {
    await spoolOfLogs(6);
    grantConsent(dir);
    const destination = '127.0.0.1_' + new URL(server.url).port;
    await runSync({ dir, endpoint: server.url, retry: fastRetry, env: {} });
    const cursor = readCursor(dir, destination)!;
    const [key] = Object.keys(cursor.segments);
    expect(cursor.lines?.[key!]).toBe(6);
    // Turn the first line into newlines (same length) and append one more line: a sync that
    // re-read the segment would number the new line 6 + (length − 1) + 1; resuming, it is 7.
    const file = join(dir, 'logs', key!.slice('logs/'.length));
    const bytes = readFileSync(file);
    const firstEnd = bytes.indexOf(0x0a);
    bytes.fill(0x0a, 0, firstEnd);
    writeFileSync(
      file,
      Buffer.concat([bytes, Buffer.from(JSON.stringify(logsLine(900, 2)) + '\n')]),
    );
    const again = await runSync({ dir, endpoint: server.url, retry: fastRetry, env: {} });
    expect(again.totals.recordsSent).toBe(2);
    expect(readCursor(dir, destination)!.lines?.[key!]).toBe(7);
  });

  it('loses nothing acknowledged through 500, 429, 503, resets, timeouts, partial success and 400', async () => {
    const expected = await spoolOfLogs(30, 2);
    grantConsent(dir);
    server.then(
      { kind: 'status', status: 500, message: 'internal boom' }, // permanent → dead letter
      { kind: 'status', status: 429, retryAfter: '0' },
      { kind: 'ok' },
      { kind: 'status', status: 503 },
      { kind: 'reset' },
      { kind: 'ok' },
      { kind: 'slow', delayMs: 1500 }, // beyond the 1 s timeout → retried
      { kind: 'ok' },
      { kind: 'partial', rejected: 1, message: 'one record too old' },
      { kind: 'status', status: 400, message: 'bad request body' }, // permanent → dead letter
    );
    const summary = await runSync({
      dir,
      endpoint: server.url,
      maxRequestBytes: 1500,
      retry: fastRetry,
      env: {},
    });
    const letters = listDeadLetters(dir);
    expect(letters.map((l) => l.status).sort()).toEqual([400, 500]);
    expect(letters.find((l) => l.status === 500)?.message).toBe('internal boom');
    const deadBodies = letters.flatMap((l) =>
      ((readDeadLetter(l.file)?.request as LogsData).resourceLogs ?? []).flatMap((rl) =>
        (rl.scopeLogs ?? []).flatMap((sl) =>
          (sl.logRecords ?? []).map((r) => r.body?.stringValue ?? ''),
        ),
      ),
    );
    const delivered = new Set(acceptedBodies(server.requests));
    // Every record is either acknowledged by the server or held in a dead letter.
    for (const body of expected)
      expect(delivered.has(body) || deadBodies.includes(body), body).toBe(true);
    expect(summary.status).toBe('partial');
    expect(summary.totals.recordsRejected).toBe(1);
    expect(summary.totals.recordsDeadLettered).toBe(deadBodies.length);
    // Permanent errors were sent once each, never retried.
    expect(server.requests.filter((r) => r.accepted === false).length).toBe(6);

    // Dead letters can be re-sent once the server accepts them.
    const resent = await resendDeadLetters({ dir, retry: fastRetry, env: {} });
    expect(resent).toMatchObject({ resent: 2, kept: 0, rejectedAgain: 0 });
    expect(listDeadLetters(dir)).toEqual([]);
    const all = new Set(acceptedBodies(server.requests));
    for (const body of expected) expect(all.has(body)).toBe(true);
  });

  it('keeps data and cursor while offline (no time-based discard) and continues next run', async () => {
    const expected = await spoolOfLogs(5);
    grantConsent(dir);
    const url = server.url;
    await server.stop();
    const offline = await runSync({
      dir,
      endpoint: url,
      retry: { ...fastRetry, maxRetriesPerRun: 2 },
      env: {},
    });
    expect(offline.status).toBe('failed');
    expect(offline.totals.recordsSent).toBe(0);
    expect(readCursor(dir, offline.destinations[0]?.name ?? '')?.segments ?? {}).toEqual({});
    server = new OtlpTestServer();
    await server.start();
    const online = await runSync({
      dir,
      endpoint: server.url,
      name: offline.destinations[0]?.name,
      retry: fastRetry,
      env: {},
    });
    expect(online.status).toBe('ok');
    expect(acceptedBodies(server.requests).sort()).toEqual(expected.sort());
  });

  it('dry run writes the exact post-redaction requests with 0 leaks of the PII corpus', async () => {
    await writeSpool(dir, [
      { signal: 'traces', data: piiTraces(), records: 1 },
      { signal: 'logs', data: piiLogs(), records: 2 },
      { signal: 'metrics', data: piiMetrics(), records: 1 },
    ]);
    const out = join(dir, 'dry-run.jsonl');
    const summary = await runSync({ dir, endpoint: server.url, dryRunOut: out, env: {} });
    expect(summary.status).toBe('ok');
    expect(server.requests).toHaveLength(0);
    const text = readFileSync(out, 'utf8');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { signal: string; records: number; url: string });
    expect(lines.map((l) => l.signal).sort()).toEqual(['logs', 'metrics', 'traces']);
    expect(lines.reduce((a, l) => a + l.records, 0)).toBe(4);
    expect(leakedSecrets(text)).toEqual([]);
    expect(readdirSync(dir)).not.toContain('sync'); // a dry run moves no cursor
  });

  it('keeps independent cursors per destination and deletes a segment only when all acknowledged it', async () => {
    const logsSeg = writeSealedSegment(dir, 'logs', 1, [logsLine(0, 3), logsLine(3, 3)]);
    const metricsSeg = writeSealedSegment(dir, 'metrics', 1, [metricsLine(1), metricsLine(2)]);
    writeSealedSegment(dir, 'traces', 1, [tracesLine(1, 2)]);
    grantConsent(dir);
    const metricsServer = new OtlpTestServer();
    await metricsServer.start();
    try {
      // metrics go elsewhere and that endpoint is down: logs/traces segments can go, metrics stay
      metricsServer.then(
        ...Array.from({ length: 3 }, () => ({ kind: 'status', status: 503 }) as const),
      );
      const first = await runSync({
        dir,
        endpoint: server.url,
        signalEndpoints: { metrics: `${metricsServer.url}/v1/metrics` },
        deleteSynced: true,
        retry: { ...fastRetry, maxRetriesPerRun: 2 },
        env: {},
      });
      expect(first.destinations).toHaveLength(2);
      expect(first.status).toBe('partial');
      expect(first.deletedSegments.sort()).toEqual([`logs/${logsSeg}`, `traces/${logsSeg}`]);
      expect(existsSync(join(dir, 'metrics', metricsSeg))).toBe(true);
      const second = await runSync({
        dir,
        endpoint: server.url,
        signalEndpoints: { metrics: `${metricsServer.url}/v1/metrics` },
        deleteSynced: true,
        retry: fastRetry,
        env: {},
      });
      expect(second.status).toBe('ok');
      expect(metricsServer.acceptedRecords('metrics')).toBe(2);
      expect(existsSync(join(dir, 'metrics', metricsSeg))).toBe(false);
      expect(server.acceptedRecords('logs')).toBe(6);
      expect(server.acceptedRecords('traces')).toBe(2);
    } finally {
      await metricsServer.stop();
    }
  });

  it('sends metric points in time order and warns about data older than the Prometheus window', async () => {
    const now = Date.now();
    await writeSpool(dir, [
      { signal: 'metrics', data: metricsLine(1, now - 3 * 3600_000), records: 1 },
      { signal: 'metrics', data: metricsLine(2, now - 2 * 3600_000), records: 1 },
    ]);
    grantConsent(dir);
    const summary = await runSync({ dir, endpoint: server.url, retry: fastRetry, env: {} });
    expect(summary.status).toBe('ok');
    expect(summary.warnings.join('\n')).toMatch(/out_of_order_time_window/);
  });

  it('stops at the next request when consent is revoked during the sync', async () => {
    await spoolOfLogs(20);
    grantConsent(dir);
    server.onRequest = () => revokeConsent(dir);
    const summary = await runSync({
      dir,
      endpoint: server.url,
      maxRequestBytes: 1000,
      retry: fastRetry,
      env: {},
    });
    expect(server.requests).toHaveLength(1);
    expect(summary.destinations[0]?.complete).toBe(false);
    expect(summary.destinations[0]?.error).toMatch(/consent/);
  });

  it('refuses to run while another live sync holds the spool lock', async () => {
    await spoolOfLogs(1);
    grantConsent(dir);
    acquireSyncLock(dir).release();
    writeFileSync(join(dir, 'sync', '.lock'), String(process.ppid)); // a live process
    await expect(runSync({ dir, endpoint: server.url, env: {} })).rejects.toBeInstanceOf(
      SyncLockedError,
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe('runSync against an endpoint that lies (issue 11, items 7 and 8)', () => {
  /** A plain node:http server on 127.0.0.1 answering every request with `answer`. */
  async function liar(
    answer: (url: string, res: import('node:http').ServerResponse) => void,
  ): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
    const { createServer } = await import('node:http');
    let hits = 0;
    const s = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits++;
        answer(req.url ?? '', res);
      });
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as import('node:net').AddressInfo).port;
    return {
      url: `http://127.0.0.1:${port}`,
      hits: () => hits,
      close: () =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          s.close(() => r());
        }),
    };
  }

  it('clamps rejected counts to what was sent and reads them past a 100 KB message', async () => {
    await spoolOfLogs(2, 3);
    grantConsent(dir);
    const s = await liar((_url, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          partialSuccess: { rejectedLogRecords: '999999999', errorMessage: 'E'.repeat(100_000) },
        }),
      ),
    );
    try {
      const summary = await runSync({ dir, endpoint: s.url, retry: fastRetry, env: {} });
      expect(summary.status).toBe('partial');
      expect(summary.totals).toMatchObject({ recordsSent: 0, recordsRejected: 6 });
      expect(summary.message).not.toMatch(/-\d/);
      expect(summary.warnings.join('\n')).toContain('server claimed 999999999 rejected logs');
      expect(summary.warnings.every((w) => w.length < 1000)).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('reads a gzip-compressed partial_success (proxies compress responses)', async () => {
    await spoolOfLogs(1, 4);
    grantConsent(dir);
    const { gzipSync } = await import('node:zlib');
    const s = await liar((_url, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        .end(gzipSync('{"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"one bad"}}')),
    );
    try {
      const summary = await runSync({ dir, endpoint: s.url, retry: fastRetry, env: {} });
      expect(summary.totals).toMatchObject({ recordsSent: 3, recordsRejected: 1 });
    } finally {
      await s.close();
    }
  });

  it.each([
    ['a 200 HTML page', 200, { 'content-type': 'text/html' }, '<html>hi</html>'],
    [
      'a health check',
      200,
      { 'content-type': 'application/json' },
      '{"status":"Server available"}',
    ],
    ['a redirect', 308, { location: 'http://127.0.0.1:1/v1/logs' }, ''],
  ] as const)(
    '%s is not delivery: cursor kept, counted, no retries',
    async (_n, status, headers, body) => {
      await spoolOfLogs(3);
      grantConsent(dir);
      const s = await liar((_url, res) => res.writeHead(status, headers).end(body));
      try {
        const summary = await runSync({ dir, endpoint: s.url, retry: fastRetry, env: {} });
        expect(summary.status).toBe('failed');
        expect(summary.totals).toMatchObject({ recordsSent: 0, unusableResponses: 1, retries: 0 });
        expect(s.hits()).toBe(1);
        expect(summary.warnings.join('\n')).toContain(`${s.url}/v1/logs answered ${status}`);
        expect(readCursor(dir, summary.destinations[0]?.name ?? '')?.segments ?? {}).toEqual({});
        expect(listDeadLetters(dir)).toHaveLength(0);
      } finally {
        await s.close();
      }
    },
  );
});
