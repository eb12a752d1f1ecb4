// G9 (reader half): readSpool vs raw read + split + JSON.parse of the same files.
// Target: ours ≥ 0.5× the raw parse (throughput ratio = raw time / our time).
// The spool is ~100 MB of trace lines as our writer writes them (one TracesData batch of
// ~1.2 KB spans per line), generated once in a temp dir and removed at the end.
// Usage: npm run build && node bench/g9-reader.mjs [megabytes=100] [spansPerLine=20]
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSpool } from '../packages/exporter-jsonl/dist/index.js';
import { countSpans, removeDir, report, tempDir } from './lib/harness.mjs';

const MEGABYTES = Number(process.argv[2] ?? 100);
const SPANS_PER_LINE = Number(process.argv[3] ?? 20);
const SEGMENT_BYTES = 8 * 1024 * 1024; // the writer's default rotation size
const ROUNDS = 5;

const hex = (n, width) => n.toString(16).padStart(width, '0');

function spanJson(line, i) {
  const attributes = [];
  for (let a = 0; a < 9; a++) {
    attributes.push(
      `{"key":"plugin.attr.${a}","value":{"stringValue":"value-${line}-${i}-${a}-xxxxxxxxxxxxxxxx"}}`,
    );
  }
  attributes.push(`{"key":"block.index","value":{"intValue":"${line * 1000 + i}"}}`);
  attributes.push(`{"key":"block.load","value":{"doubleValue":${(i % 97) / 97}}}`);
  const start = 1_700_000_000_000_000_000n + BigInt(line * 1_000_000 + i * 1000);
  return (
    `{"traceId":"${hex(line + 1, 16)}${hex(i + 1, 16)}","spanId":"${hex(line * 1000 + i + 1, 16)}",` +
    `"parentSpanId":"${hex(line * 1000 + 1, 16)}","flags":257,"name":"process-block-${i % 8}","kind":1,` +
    `"startTimeUnixNano":"${start}","endTimeUnixNano":"${start + 250_000n}",` +
    `"attributes":[${attributes.join(',')}],` +
    `"events":[{"timeUnixNano":"${start + 1000n}","name":"buffer.ready"}],"status":{"code":${i % 10 === 0 ? 2 : 0}}}`
  );
}

function lineJson(line) {
  const spans = [];
  for (let i = 0; i < SPANS_PER_LINE; i++) spans.push(spanJson(line, i));
  return (
    '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bench-host"}},' +
    '{"key":"service.version","value":{"stringValue":"1.4.2"}},{"key":"process.pid","value":{"intValue":"4242"}}]},' +
    `"scopeSpans":[{"scope":{"name":"bench","version":"1.0.0"},"spans":[${spans.join(',')}]}]}]}`
  );
}

function generate(dir) {
  const traces = join(dir, 'traces');
  mkdirSync(traces, { recursive: true, mode: 0o700 });
  const target = MEGABYTES * 1024 * 1024;
  let total = 0;
  let line = 0;
  let seq = 0;
  let spanBytes = 0;
  while (total < target) {
    const parts = [];
    let size = 0;
    while (size < SEGMENT_BYTES && total + size < target) {
      const text = lineJson(line++);
      if (line === 1) spanBytes = Math.round(text.length / SPANS_PER_LINE);
      parts.push(text);
      size += text.length + 1;
    }
    const name = `20261124T000000000Z_4242_abcd_${String(++seq).padStart(6, '0')}.jsonl`;
    writeFileSync(join(traces, name), parts.join('\n') + '\n', { mode: 0o600 });
    total += size;
  }
  return { bytes: total, lines: line, segments: seq, spanBytes };
}

/** The peer: what a hand-rolled reader does at best, whole file → split → JSON.parse. */
function rawParse(dir) {
  const traces = join(dir, 'traces');
  let records = 0;
  for (const name of readdirSync(traces).sort()) {
    const text = readFileSync(join(traces, name), 'utf8');
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      JSON.parse(line);
      records++;
    }
  }
  return records;
}

async function ours(dir) {
  let records = 0;
  for await (const record of readSpool(dir, { signals: ['traces'] })) {
    if (record.data) records++;
  }
  return records;
}

async function time(fn) {
  const t0 = performance.now();
  const records = await fn();
  return { ms: performance.now() - t0, records };
}

const dir = tempDir('g9-reader');
try {
  const spool = generate(dir);
  console.log(
    `G9 reader: ${(spool.bytes / 1048576).toFixed(1)} MiB, ${spool.segments} segments, ${spool.lines} lines × ${SPANS_PER_LINE} spans of ~${spool.spanBytes} B`,
  );
  await time(() => ours(dir)); // warm-up (JIT, page cache)
  await time(() => rawParse(dir));
  let best = { mine: Infinity, peer: Infinity };
  let counts = { mine: 0, peer: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const peer = await time(() => rawParse(dir));
    const mine = await time(() => ours(dir));
    best = { mine: Math.min(best.mine, mine.ms), peer: Math.min(best.peer, peer.ms) };
    counts = { mine: mine.records, peer: peer.records };
  }
  // Correctness, outside the timed region: same records, same spans, ids and big ints intact.
  let spansMine = 0;
  let firstTraceId = '';
  let firstStart = '';
  for await (const record of readSpool(dir, { signals: ['traces'] })) {
    spansMine += countSpans(record.data);
    if (firstTraceId === '') {
      const span = record.data.resourceSpans[0].scopeSpans[0].spans[0];
      firstTraceId = span.traceId;
      firstStart = span.startTimeUnixNano;
    }
  }
  const ok =
    counts.mine === spool.lines &&
    counts.peer === spool.lines &&
    spansMine === spool.lines * SPANS_PER_LINE &&
    firstTraceId === `${hex(1, 16)}${hex(1, 16)}` &&
    firstStart === '1700000000000000000';
  const mbps = (ms) => (spool.bytes / 1048576 / (ms / 1000)).toFixed(0);
  const ratio = best.peer / best.mine;
  console.log(
    `ours readSpool ${mbps(best.mine)} MiB/s (${best.mine.toFixed(0)} ms) | raw read+split+JSON.parse ${mbps(best.peer)} MiB/s (${best.peer.toFixed(0)} ms) | ratio ${ratio.toFixed(2)}× (target ≥ 0.50) | check: ${ok ? 'ok' : 'FAILED'} (records ${counts.mine}/${spool.lines}, peer ${counts.peer}/${spool.lines}, spans ${spansMine}/${spool.lines * SPANS_PER_LINE})`,
  );
  report({
    row: 'G9 reader',
    ours: Number(mbps(best.mine)),
    peer: Number(mbps(best.peer)),
    unit: 'MiB/s',
    ratio,
    target: 0.5,
    ok,
  });
  if (!ok) process.exitCode = 1;
} finally {
  removeDir(dir);
}
