// Hostile OTLP/HTTP request bodies under the body limit (issue 11, item 6): a 20 MiB protobuf
// body of `0a 00` (10 M empty ResourceSpans), the same gzip-compressed to 20 KB, and 19.9 MB of
// JSON `{}` entries, alone and three at once, against a real receiver on 127.0.0.1. Each must
// get a clear 4xx, the process must stay within a bounded memory growth, and a legitimate
// one-span request (and an official OTLP exporter) sent alongside must be answered 200.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { readSpool } from '@otelspool/exporter-jsonl';
import { createOtlpReceiver, encodeRequest, type OtlpReceiver } from '@otelspool/collector';
// The per-request caps and the status decoder are the receiver's internals: the test checks
// the answers against the very limits the receiver applies.
import { DEFAULT_REQUEST_LIMITS } from '../../packages/collector/src/receiver/request-limits.js';
import { decodeStatus } from '../../packages/collector/src/protobuf/codec.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { recordFigure } from './helpers/figures.js';

const LIMIT = 20 * 1024 * 1024; // the receiver's default body limit
const MB = 1024 * 1024;
/** Generous bounds: the machine may be loaded; before the fix these were 14–150 s and 2.7–3.7 GB. */
const MAX_RSS_GROWTH = 300 * MB;
const MAX_ANSWER_MS = 60_000;

let root: string;
let dir: string;
let receiver: OtlpReceiver;
let base: string;
/** Legitimate spans the attack runs sent (all must be in the spool at the end). */
let legitSent = 0;

beforeAll(async () => {
  root = await tempDir('hostile-bodies');
  dir = join(root, 'spool');
  receiver = createOtlpReceiver({ dir, port: 0 });
  base = await receiver.listen();
});
afterAll(async () => {
  await receiver.close();
  await removeTempDirs();
});

interface Reply {
  status: number;
  message: string;
  ms: number;
}

function post(
  path: string,
  body: Buffer,
  type: 'application/json' | 'application/x-protobuf',
  gzip = false,
): Promise<Reply> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': type, ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        let message = '';
        if (res.statusCode !== 200) {
          message =
            type === 'application/json'
              ? String((JSON.parse(raw.toString()) as { message?: unknown }).message)
              : (decodeStatus(raw)?.message ?? '');
        }
        resolve({ status: res.statusCode ?? 0, message, ms: performance.now() - t0 });
      });
    });
    // The receiver may answer before reading a refused body to its end.
    req.on('error', (err) => reject(err));
    req.end(body);
  });
}

const legitSpan = (name: string) => ({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'legit' } }] },
      scopeSpans: [
        {
          scope: { name: 'legit' },
          spans: [
            {
              traceId: '0123456789abcdef0123456789abcdef',
              spanId: '0123456789abcdef',
              name,
              kind: 1,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000000100000000',
            },
          ],
        },
      ],
    },
  ],
});

/** Samples RSS every 10 ms; the peak also counts what the process reached while blocked. */
function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  return {
    stop() {
      clearInterval(t);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/** Largest gap of a 5 ms timer: how long the event loop was blocked. */
function loopBlock(): { stop(): number } {
  let last = performance.now();
  let max = 0;
  const t = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - 5);
    last = now;
  }, 5);
  return {
    stop() {
      clearInterval(t);
      return max;
    },
  };
}

function zeros(): Buffer {
  const b = Buffer.alloc(LIMIT);
  for (let i = 0; i < LIMIT; i += 2) b[i] = 0x0a; // `0a 00`: field 1, length 0
  return b;
}

const hostile = {
  'protobuf 20 MiB of empty ResourceSpans': () => ({
    body: zeros(),
    type: 'application/x-protobuf' as const,
    gzip: false,
  }),
  'protobuf gzip (20 KB → 20 MiB) of empty ResourceSpans': () => ({
    body: gzipSync(zeros()),
    type: 'application/x-protobuf' as const,
    gzip: true,
  }),
  'JSON 19.9 MB of {} entries': () => {
    const n = Math.floor((19.9e6 - 20) / 3);
    return {
      body: Buffer.from('{"resourceSpans":[' + '{},'.repeat(n - 1) + '{}]}'),
      type: 'application/json' as const,
      gzip: false,
    };
  },
};

describe('hostile request bodies: bounded cost, other clients still served', () => {
  for (const [name, make] of Object.entries(hostile)) {
    for (const concurrency of [1, 3]) {
      it(`${name} × ${concurrency}: 413 each, bounded RSS, a legitimate request answered 200`, async () => {
        const { body, type, gzip } = make();
        global.gc?.();
        const before = process.memoryUsage().rss;
        const rss = rssSampler();
        const block = loopBlock();
        const attacks = Array.from({ length: concurrency }, () =>
          post('/v1/traces', body, type, gzip),
        );
        // The legitimate client arrives while the hostile ones are being read and decoded.
        await new Promise((r) => setTimeout(r, 20));
        const legitJson = post(
          '/v1/traces',
          Buffer.from(JSON.stringify(legitSpan(`json-${name}-${concurrency}`))),
          'application/json',
        );
        const legitPb = post(
          '/v1/traces',
          Buffer.from(encodeRequest('traces', legitSpan(`pb-${name}-${concurrency}`) as never)),
          'application/x-protobuf',
        );
        const answers = await Promise.all(attacks);
        const legit = await Promise.all([legitJson, legitPb]);
        legitSent += 2;
        const peak = rss.stop();
        const blocked = block.stop();
        for (const a of answers) {
          expect(a.status).toBe(413);
          expect(a.message).toBe(
            `OTLP traces request too large: more than ${DEFAULT_REQUEST_LIMITS.maxResources} resource entries (${DEFAULT_REQUEST_LIMITS.maxResources + 1} counted so far): split it into smaller requests`,
          );
          expect(a.ms).toBeLessThan(MAX_ANSWER_MS);
        }
        for (const l of legit) {
          expect(l.status).toBe(200);
          expect(l.ms).toBeLessThan(MAX_ANSWER_MS);
        }
        expect(peak - before).toBeLessThan(MAX_RSS_GROWTH);
        recordFigure('hostile-bodies', {
          attack: name,
          concurrency,
          bodyBytes: body.length,
          status: answers.map((a) => a.status),
          answerMs: Math.round(Math.max(...answers.map((a) => a.ms))),
          legitMs: Math.round(Math.max(...legit.map((l) => l.ms))),
          loopBlockMs: Math.round(blocked),
          rssGrowthMB: Math.round((peak - before) / MB),
        });
      });
    }
  }

  it('a request at the value cap (a span with ~500 k empty attributes) stays bounded', async () => {
    const n = DEFAULT_REQUEST_LIMITS.maxNodes - 20;
    const attrs = Buffer.alloc(n * 2);
    for (let i = 0; i < attrs.length; i += 2) attrs[i] = 0x4a; // Span.attributes, empty KeyValue
    const ld = (field: number, payload: Buffer): Buffer => {
      const len: number[] = [];
      let v = payload.length;
      do {
        let b = v & 0x7f;
        v >>>= 7;
        if (v) b |= 0x80;
        len.push(b);
      } while (v);
      return Buffer.concat([Buffer.from([(field << 3) | 2, ...len]), payload]);
    };
    const span = Buffer.concat([ld(1, Buffer.alloc(16, 1)), ld(2, Buffer.alloc(8, 1)), attrs]);
    const body = ld(1, ld(2, ld(2, span)));
    global.gc?.();
    const before = process.memoryUsage().rss;
    const rss = rssSampler();
    const block = loopBlock();
    const answer = await post('/v1/traces', body, 'application/x-protobuf');
    const peak = rss.stop();
    const blocked = block.stop();
    expect(answer.status).toBe(200);
    expect(peak - before).toBeLessThan(MAX_RSS_GROWTH);
    // Twice the cap is refused before anything is built.
    const twice = Buffer.concat([ld(1, ld(2, ld(2, Buffer.concat([span, attrs]))))]);
    const refused = await post('/v1/traces', twice, 'application/x-protobuf');
    expect(refused.status).toBe(413);
    expect(refused.message).toContain('values (objects and array elements)');
    recordFigure('hostile-bodies.at-cap', {
      bodyBytes: body.length,
      values: n,
      answerMs: Math.round(answer.ms),
      loopBlockMs: Math.round(blocked),
      rssGrowthMB: Math.round((peak - before) / MB),
    });
  });

  it('an official OTLP/protobuf exporter sending a full batch alongside hostile bodies gets 200', async () => {
    const exporter = new OTLPTraceExporter({ url: `${base}/v1/traces` });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'official-alongside' }),
      spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 512 })],
    });
    const tracer = provider.getTracer('t');
    const attacks = [post('/v1/traces', zeros(), 'application/x-protobuf')];
    for (let i = 0; i < 512; i++) tracer.startSpan(`official-${i}`, { attributes: { i } }).end();
    await provider.forceFlush();
    await provider.shutdown();
    expect((await Promise.all(attacks)).map((a) => a.status)).toEqual([413]);
    await receiver.close();
    let official = 0;
    let legit = 0;
    for await (const r of readSpool(dir, { signals: ['traces'], quarantine: false })) {
      const text = JSON.stringify(r.data);
      official += text.split('"name":"official-').length - 1;
      legit += text.split('"name":"json-').length - 1 + text.split('"name":"pb-').length - 1;
    }
    expect(official).toBe(512);
    expect(legit).toBe(legitSent);
    receiver = createOtlpReceiver({ dir, port: 0 });
    base = await receiver.listen();
  });
});
