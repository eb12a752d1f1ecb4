// Network faults: `spool sync` against a flaky OTLP/HTTP server for >= 10,000 requests, and
// slowloris / oversize / gzip-bomb clients against `spool serve` (the real CLI process).
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { grantConsent, resendDeadLetters, runSync, type SyncSummary } from '@otelspool/collector';
import { OtlpSink, type SinkAction } from './helpers/otlp-sink.js';
import { writeSyntheticSpool, tracesLine } from './helpers/synthetic-spool.js';
import { scanSpool } from './helpers/spool-check.js';
import { FULL, SPOOL_BIN, sleep, startNode, stopAll } from './helpers/processes.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { recordFigure } from './helpers/figures.js';

afterAll(async () => {
  await stopAll();
  await removeTempDirs();
});

/** The flaky server's behaviour: ~27 % of requests fail, in every way OTLP/HTTP allows. */
function flaky(): SinkAction {
  const r = Math.random();
  if (r < 0.07) return { kind: 'status', status: 503 };
  if (r < 0.12) return { kind: 'status', status: 429, retryAfter: '0' };
  if (r < 0.15) return { kind: 'status', status: 502 };
  if (r < 0.18) return { kind: 'status', status: 504 };
  if (r < 0.22) return { kind: 'reset' };
  if (r < 0.225) return { kind: 'stall', ms: 400 };
  if (r < 0.235) return { kind: 'status', status: 500 }; // permanent: dead letter
  if (r < 0.27) return { kind: 'partial', rejected: 0 };
  return { kind: 'ok' };
}

describe('network faults: sync against a flaky server', () => {
  it('≥ 10,000 requests with random 5xx/429/resets/stalls/partial success: nothing lost, nothing duplicated', async () => {
    const dir = await tempDir('flaky');
    const lines = { traces: 3400, logs: 3000, metrics: 1600 };
    const stored = await writeSyntheticSpool(dir, lines, 2);
    grantConsent(dir);
    let healthy = false;
    const sink = new OtlpSink({ decide: () => (healthy ? { kind: 'ok' } : flaky()) });
    const url = await sink.start();
    let maxRss = process.memoryUsage.rss();
    const sampler = setInterval(() => {
      maxRss = Math.max(maxRss, process.memoryUsage.rss());
    }, 100);
    const summaries: SyncSummary[] = [];
    try {
      // every run ends (retry budgets); the next run continues from the cursors
      for (let run = 0; run < 40; run++) {
        const s = await runSync({
          dir,
          endpoint: url,
          maxRequestBytes: 256, // every line alone: one request per line
          retry: {
            initialDelayMs: 1,
            maxDelayMs: 8,
            maxAttempts: 5,
            maxRetriesPerRun: 1_000_000,
            timeoutMs: 200,
          },
          log: () => undefined,
        });
        summaries.push(s);
        if (s.destinations.every((d) => d.complete)) break;
      }
      expect(summaries.at(-1)!.destinations.every((d) => d.complete)).toBe(true);
      const deadLettered = summaries.reduce((n, s) => n + s.totals.recordsDeadLettered, 0);
      // Dead letters (permanent 500s) are kept, not lost: resend them to a healthy server.
      healthy = true;
      const resent = await resendDeadLetters({ dir, endpoint: url, log: () => undefined });
      expect(resent.records).toBe(deadLettered);
      expect(resent.kept + resent.rejectedAgain).toBe(0);

      const scan = await scanSpool(dir);
      expect(scan.records).toEqual(stored);
      const missing = scan.keys.traces.filter((k) => !sink.acknowledged.has(k)).length;
      expect(missing).toBe(0);
      const unique = { traces: 0, logs: 0, metrics: 0 };
      let duplicated = 0;
      for (const [k, n] of sink.acknowledged) {
        if (n > 1) duplicated++;
        if (k.startsWith('span:')) unique.traces++;
        else if (k.startsWith('log:')) unique.logs++;
        else unique.metrics++;
      }
      expect(unique).toEqual(stored);
      // The sink acknowledges only requests it answered 200: no record arrives twice.
      expect(duplicated).toBe(0);
      expect(sink.requests.length).toBeGreaterThanOrEqual(10_000);
      const byAction: Record<string, number> = {};
      for (const r of sink.requests) byAction[r.action] = (byAction[r.action] ?? 0) + 1;
      recordFigure('network.flaky-sync', {
        requests: sink.requests.length,
        byAction,
        syncRuns: summaries.length,
        retries: summaries.reduce((n, s) => n + s.totals.retries, 0),
        recordsStored: stored,
        recordsSent: summaries.reduce((n, s) => n + s.totals.recordsSent, 0) + resent.records,
        recordsAcknowledgedUnique: unique,
        deadLettered,
        resentFromDeadLetters: resent.records,
        missing,
        duplicated,
        maxRssMiB: Math.round(maxRss / 1048576),
      });
    } finally {
      clearInterval(sampler);
      await sink.close();
    }
  });
});

/** VmHWM (peak RSS) of a process, from /proc. */
function peakRssKiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

function post(
  url: string,
  body: Buffer,
  headers: Record<string, string | number>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('network faults: hostile clients against spool serve', () => {
  it('slowloris, oversize bodies and gzip bombs: legitimate requests still stored, memory bounded', async () => {
    const dir = await tempDir('serve');
    const maxBody = 1024 * 1024;
    const serve = startNode([
      SPOOL_BIN,
      'serve',
      '--dir',
      dir,
      '--port',
      '0',
      '--no-dashboard',
      '--json',
      '--max-body-bytes',
      String(maxBody),
    ]);
    const first = await serve.waitForLine((l) => l.includes('"url"'), 30_000);
    // --json pretty-prints {"url": ...}: take the URL from its line
    const base = /"url":\s*"([^"]+)"/.exec(first)![1]!;
    const { hostname, port } = new URL(base);
    const sockets: Socket[] = [];
    const slowClients = FULL ? 1000 : 300;
    try {
      const baselineKiB = peakRssKiB(serve.pid);
      // Slowloris: headers that never end, and bodies that trickle, one byte per 200 ms.
      for (let i = 0; i < slowClients; i++) {
        const s = connect(Number(port), hostname);
        s.on('error', () => undefined);
        if (i % 2 === 0) s.write(`POST /v1/traces HTTP/1.1\r\nHost: x\r\nX-Slow: `);
        else
          s.write(
            `POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
          );
        sockets.push(s);
      }
      const drip = setInterval(() => {
        for (const s of sockets) if (!s.destroyed) s.write('a');
      }, 200);

      let stored = 0;
      const statuses: Record<number, number> = {};
      const count = (st: number): void => {
        statuses[st] = (statuses[st] ?? 0) + 1;
      };
      try {
        for (let round = 0; round < 20; round++) {
          // legitimate requests while the slow clients hold their connections
          const ok = await post(`${base}/v1/traces`, Buffer.from(tracesLine(5, `ok${round}`)), {
            'content-type': 'application/json',
          });
          count(ok.status);
          expect(ok.status).toBe(200);
          stored += 5;
          // oversize by Content-Length: 413 before reading
          const big = Buffer.alloc(maxBody + 1, 0x20);
          const over = await post(`${base}/v1/traces`, big, {
            'content-type': 'application/json',
          }).catch(() => ({ status: -1, body: '' }));
          count(over.status);
          expect([413, -1]).toContain(over.status);
          // gzip bomb: 64 MiB of spaces in ~64 KiB; refused after at most maxBody inflated
          const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
          const b = await post(`${base}/v1/logs`, bomb, {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
          }).catch(() => ({ status: -1, body: '' }));
          count(b.status);
          expect([413, -1]).toContain(b.status);
          // chunked (no Content-Length) oversize body
          const chunked = await new Promise<number>((resolve) => {
            const req = request(
              `${base}/v1/metrics`,
              { method: 'POST', headers: { 'content-type': 'application/x-protobuf' } },
              (res) => {
                res.resume();
                resolve(res.statusCode ?? 0);
              },
            );
            req.on('error', () => resolve(-1));
            for (let i = 0; i < 20; i++) req.write(Buffer.alloc(128 * 1024, 1));
            req.end();
          });
          count(chunked);
          expect([413, -1]).toContain(chunked);
          // garbage protobuf and JSON: 400 with a clear message
          const junk = await post(`${base}/v1/traces`, Buffer.from([0x0a, 0xff, 0xff, 0xff]), {
            'content-type': 'application/x-protobuf',
          });
          count(junk.status);
          expect(junk.status).toBe(400);
        }
      } finally {
        clearInterval(drip);
      }
      const openSlow = sockets.filter((s) => !s.destroyed).length;
      let openAfterTimeouts: number | undefined;
      if (FULL) {
        // Node's headersTimeout (30 s) / requestTimeout (60 s) end them: wait (bounded) and count
        for (let i = 0; i < 80 && sockets.some((s) => !s.destroyed); i++) await sleep(1000);
        openAfterTimeouts = sockets.filter((s) => !s.destroyed).length;
      }
      const peakKiB = peakRssKiB(serve.pid);
      // Peak RSS stays bounded: far below what buffering the bombs (64 MiB each) would cost.
      expect(peakKiB - baselineKiB).toBeLessThan(64 * 1024);
      for (const s of sockets) s.destroy();
      serve.kill('SIGTERM');
      const exit = await serve.exited;
      expect(exit.code).toBe(0);
      const scan = await scanSpool(dir);
      expect(scan.records.traces).toBe(stored);
      expect(scan.malformed).toEqual([]);
      recordFigure('network.serve-hostile', {
        slowClients,
        slowClientsStillOpenAfterTest: openSlow,
        slowClientsOpenAfter80s: openAfterTimeouts,
        statuses,
        legitimateSpansSent: stored,
        spansStored: scan.records.traces,
        baselineRssMiB: Math.round(baselineKiB / 1024),
        peakRssMiB: Math.round(peakKiB / 1024),
      });
    } finally {
      for (const s of sockets) s.destroy();
      serve.kill('SIGKILL');
      await sleep(10);
    }
  });
});
