// G9 (receiver half): `spool serve`'s OTLP/HTTP receiver vs a bare node:http server that
// parses and discards the same bodies. Target: ours ≥ 0.7× the bare server.
// The load generator runs in a worker thread so neither server shares its event loop with it.
// Peer parsing: JSON.parse for JSON; for protobuf the same protobufjs decode + conversion to the
// OTLP/JSON shape that the receiver uses (decodeRequest), i.e. the peer does everything except
// validation, normalisation, re-serialisation and the write to disk.
// Usage: npm run build && node bench/g9-receiver.mjs [requests=400] [spansPerRequest=100]
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  createOtlpReceiver,
  decodeRequest,
  encodeRequest,
} from '../packages/collector/dist/index.js';
import { readSpool, SpoolWriter } from '../packages/exporter-jsonl/dist/index.js';

const REQUESTS = Number(process.argv[2] ?? 400);
const SPANS = Number(process.argv[3] ?? 100);
const CONCURRENCY = 8;

function makeRequest(r) {
  const spans = [];
  for (let i = 0; i < SPANS; i++) {
    const attributes = [];
    for (let a = 0; a < 10; a++)
      attributes.push({
        key: `attr.${a}`,
        value: { stringValue: `value-${r}-${i}-${a}-padding-padding` },
      });
    spans.push({
      traceId: (r * SPANS + i + 1).toString(16).padStart(32, '0'),
      spanId: (i + 1).toString(16).padStart(16, '0'),
      name: `operation-${i % 20}`,
      kind: 1,
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000001000000',
      attributes,
      status: {},
    });
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] },
        scopeSpans: [{ scope: { name: 'bench' }, spans }],
      },
    ],
  };
}

const objects = Array.from({ length: REQUESTS }, (_, r) => makeRequest(r));
const bodies = {
  json: objects.map((o) => Buffer.from(JSON.stringify(o))),
  protobuf: objects.map((o) => Buffer.from(encodeRequest('traces', o))),
};

const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, bodies, contentType, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let next = 0, failed = 0;
function send(body) {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': contentType, 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode !== 200) failed++; resolve(); });
    });
    req.on('error', () => { failed++; resolve(); });
    req.end(body);
  });
}
async function lane() { while (next < bodies.length) { const b = bodies[next++]; await send(Buffer.from(b)); } }
(async () => {
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, lane));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  agent.destroy();
  parentPort.postMessage({ ms, failed });
})();
`;

function load(url, format) {
  return new Promise((resolve, reject) => {
    const w = new Worker(CLIENT, {
      eval: true,
      workerData: {
        url,
        bodies: bodies[format],
        contentType: format === 'json' ? 'application/json' : 'application/x-protobuf',
        concurrency: CONCURRENCY,
      },
    });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

function countSpans(data) {
  let n = 0;
  for (const rs of data.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

async function bare(format) {
  let spans = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const data =
        format === 'json' ? JSON.parse(body.toString('utf8')) : decodeRequest('traces', body);
      spans += countSpans(data);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { ms, failed } = await load(`http://127.0.0.1:${server.address().port}/v1/traces`, format);
  await new Promise((r) => server.close(r));
  return { ms, failed, spans };
}

async function ours(format) {
  const dir = mkdtempSync(join(tmpdir(), 'g9-receiver-'));
  try {
    const writer = new SpoolWriter({ dir });
    const receiver = createOtlpReceiver({ writer, port: 0 });
    const url = await receiver.listen();
    const { ms, failed } = await load(`${url}/v1/traces`, format);
    await receiver.close();
    await writer.shutdown(); // flush: the correctness check reads what is on disk
    const ws = writer.stats();
    if (
      Object.values(ws.dropped).some((n) => n > 0) ||
      ws.evicted.segments > 0 ||
      Object.keys(ws.errors).length
    ) {
      console.log(
        '  writer:',
        JSON.stringify({
          written: ws.written,
          dropped: ws.dropped,
          evicted: ws.evicted,
          errors: ws.errors,
        }),
      );
    }
    let spans = 0;
    for await (const rec of readSpool(dir, { signals: ['traces'], quarantine: false }))
      spans += countSpans(rec.data);
    return { ms, failed, spans };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const expected = REQUESTS * SPANS;
console.log(
  `G9 receiver: ${REQUESTS} requests × ${SPANS} spans (${(bodies.json.reduce((a, b) => a + b.length, 0) / 1048576).toFixed(1)} MiB JSON), concurrency ${CONCURRENCY}`,
);
const ROUNDS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const format of ['json', 'protobuf']) {
  await ours(format); // warm-up (JIT, protobuf schema load)
  await bare(format);
  // Interleaved rounds, medians: the machine is shared and noisy.
  const peerRuns = [];
  const mineRuns = [];
  for (let i = 0; i < ROUNDS; i++) {
    peerRuns.push(await bare(format));
    mineRuns.push(await ours(format));
  }
  const peerMs = median(peerRuns.map((r) => r.ms));
  const mineMs = median(mineRuns.map((r) => r.ms));
  const rate = (ms) => (expected / (ms / 1000)).toFixed(0);
  const ok =
    mineRuns.every((r) => r.spans === expected && r.failed === 0) &&
    peerRuns.every((r) => r.spans === expected && r.failed === 0);
  console.log(
    `${format.padEnd(8)} ours ${rate(mineMs)} spans/s | bare node:http parse+discard ${rate(peerMs)} spans/s | ratio ${(peerMs / mineMs).toFixed(2)}× (target ≥ 0.70, median of ${ROUNDS}) | check: ${ok ? 'ok' : 'FAILED'} (every run: spool ${expected}/${expected} spans, 0 failed requests)`,
  );
}
