// Sync throughput: `spool sync` (reader → consent → redaction → batching → gzip → OTLP/HTTP
// with cursors) to a local server, vs a naive uploader that reads the same segment files,
// concatenates lines into requests of the same cap, gzips and POSTs them (no consent, no
// redaction, no cursors). Prints records/s and MB/s of spool read for both.
// Usage: npm run build && node bench/sync-throughput.mjs [lines=2000] [recordsPerLine=20]
import { createServer, request } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { grantConsent, runSync } from '../packages/collector/dist/index.js';
import { SpoolWriter } from '../packages/exporter-jsonl/dist/index.js';

const LINES = Number(process.argv[2] ?? 2000);
const PER_LINE = Number(process.argv[3] ?? 20);
const CAP = 4 * 1024 * 1024;

function line(n) {
  const logRecords = [];
  for (let i = 0; i < PER_LINE; i++) {
    logRecords.push({
      timeUnixNano: String(1700000000000000000n + BigInt(n * PER_LINE + i)),
      severityNumber: 9,
      severityText: 'INFO',
      body: {
        stringValue: `processed buffer ${n}/${i} in /opt/app/data/file-${i}.wav at 48000 Hz`,
      },
      attributes: [
        { key: 'plugin.name', value: { stringValue: 'Warm Pad' } },
        { key: 'buffer.size', value: { intValue: '512' } },
        { key: 'n', value: { intValue: String(n * PER_LINE + i) } },
      ],
    });
  }
  return JSON.stringify({
    resourceLogs: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'bench' } },
            { key: 'host.name', value: { stringValue: 'studio-1' } },
          ],
        },
        scopeLogs: [{ scope: { name: 'bench' }, logRecords }],
      },
    ],
  });
}

async function startServer() {
  const state = { records: 0, requests: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const data = JSON.parse(body.toString('utf8'));
      for (const rl of data.resourceLogs ?? [])
        for (const sl of rl.scopeLogs ?? []) state.records += sl.logRecords?.length ?? 0;
      state.requests++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    state,
    close: () => new Promise((r) => server.close(r)),
  };
}

async function makeSpool() {
  const dir = mkdtempSync(join(tmpdir(), 'sync-bench-'));
  const writer = new SpoolWriter({ dir, durability: 'none' });
  for (let n = 0; n < LINES; n++) writer.append('logs', line(n), PER_LINE);
  await writer.shutdown();
  grantConsent(dir);
  let bytes = 0;
  for (const f of readdirSync(join(dir, 'logs')))
    bytes += readFileSync(join(dir, 'logs', f)).length;
  return { dir, bytes };
}

function post(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Content-Encoding': 'gzip',
          'Content-Length': body.length,
        },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The peer: read files, pack raw lines under the cap, gzip, POST. */
async function naive(dir, url) {
  const files = readdirSync(join(dir, 'logs')).sort();
  let batch = [];
  let size = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const merged = { resourceLogs: batch.flatMap((l) => JSON.parse(l).resourceLogs) };
    await post(`${url}/v1/logs`, gzipSync(Buffer.from(JSON.stringify(merged))));
    batch = [];
    size = 0;
  };
  for (const f of files) {
    for (const l of readFileSync(join(dir, 'logs', f), 'utf8').split('\n')) {
      if (!l) continue;
      if (size + l.length > CAP) await flush();
      batch.push(l);
      size += l.length;
    }
  }
  await flush();
}

const expected = LINES * PER_LINE;
const ROUNDS = 5;

async function once(which) {
  const { dir, bytes } = await makeSpool();
  const server = await startServer();
  try {
    const t0 = process.hrtime.bigint();
    if (which === 'naive') await naive(dir, server.url);
    else await runSync({ dir, endpoint: server.url, env: {} });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    return { s, bytes, records: server.state.records, requests: server.state.requests };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await once('ours'); // warm-up
await once('naive');
const runs = { ours: [], naive: [] };
// Interleaved rounds, medians: the machine is shared and noisy.
for (let i = 0; i < ROUNDS; i++) {
  runs.naive.push(await once('naive'));
  runs.ours.push(await once('ours'));
}
const median = (rs) => [...rs].sort((a, b) => a.s - b.s)[Math.floor(rs.length / 2)];
const ours = median(runs.ours);
const peer = median(runs.naive);
const fmt = (r) =>
  `${(expected / r.s).toFixed(0)} records/s, ${(r.bytes / 1048576 / r.s).toFixed(1)} MB/s of spool, ${r.requests} requests`;
const ok = [...runs.ours, ...runs.naive].every((r) => r.records === expected);
console.log(
  `sync throughput: ${LINES} lines × ${PER_LINE} log records (${(ours.bytes / 1048576).toFixed(1)} MiB spool), cap 4 MiB, gzip, http/json, median of ${ROUNDS}`,
);
console.log(`ours  (consent + redaction + cursors): ${fmt(ours)}`);
console.log(`naive (read + pack + gzip + POST):     ${fmt(peer)}`);
console.log(
  `ratio ${(peer.s / ours.s).toFixed(2)}× | check: ${ok ? 'ok' : 'FAILED'} (the server received all ${expected} records in every run)`,
);
