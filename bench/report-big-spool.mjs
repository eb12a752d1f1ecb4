#!/usr/bin/env node
// How fast `spool report` aggregates a big spool, against a bare pass of the shared reader over
// the same files (the floor: report = reader + aggregation).
//
//   npm run build && node bench/report-big-spool.mjs [MiB=1024] [--keep] [--unique]
//
// Builds a spool from two real `spool demo` runs (one with --crash), replicates their lines
// into 8 MiB segments up to the requested size, then times, each in its own process:
// `spool report --json --no-index` and a bare `readSpool` loop; then `spool index` (first
// build), the report from the index, and the report after 10 MiB of new segments (G12–G16 of
// issue 15). Prints seconds, MiB/s, peak RSS and the ratios.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const spool = join(root, 'packages/cli/dist/bin/spool.js');
const targetMiB = Number(process.argv.find((a, i) => i >= 2 && /^\d+$/.test(a)) ?? 1024);
// --keep: leave the spool (and its index) in place to look at, and print where.
const keep = process.argv.includes('--keep');
// --unique: every copy of the demo lines gets its own trace and span ids and later times (as
// new data would have), instead of repeating them. Not the default, so rows measured before it
// existed stay comparable; the copies differ only in digits, so the scan's work is the same.
const unique = process.argv.includes('--unique');
const copyOf = (chunk, k) =>
  !unique
    ? chunk
    : chunk
        .replace(/"(traceId|spanId|parentSpanId)":"([0-9a-f]{8})/g, (_, key, head) => {
          const mixed = ((parseInt(head, 16) ^ Math.imul(k, 0x9e3779b1)) >>> 0).toString(16);
          return `"${key}":"${mixed.padStart(8, '0')}`;
        })
        .replace(
          /UnixNano":"(\d+)"/g,
          (_, ns) => `UnixNano":"${BigInt(ns) + BigInt(k) * 10_000_000_000n}"`,
        );
const copies = { traces: 0, metrics: 0, logs: 0 };
const work = mkdtempSync(join(tmpdir(), 'otelspool-bigreport-'));
const demo = join(work, 'demo');
const big = join(work, 'big');

function dirBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  return total;
}

try {
  execFileSync(process.execPath, [spool, 'demo', '--dir', demo, '--duration', '3', '--json'], {
    stdio: 'ignore',
  });
  spawnSync(
    process.execPath,
    [spool, 'demo', '--dir', demo, '--duration', '2', '--crash', '--json'],
    { stdio: 'ignore' },
  );

  let bytes = 0;
  const chunks = {};
  let segmentSeq = 0;
  // New 8 MiB segments (names after every existing one) holding `total` bytes of demo lines,
  // split across signals as the spool is.
  const addSegments = (total) => {
    for (const signal of ['traces', 'metrics', 'logs']) {
      const chunk = chunks[signal];
      const share = signal === 'traces' ? 0.8 : 0.1;
      let fd = -1;
      let size = Infinity;
      for (let written = 0; written < total * share; written += chunk.length) {
        if (size > 8 * 1048576) {
          if (fd >= 0) closeSync(fd);
          const seq = ++segmentSeq;
          const name = `20261124T100000000Z_${1000 + seq}_beef_${String(seq).padStart(6, '0')}.jsonl`;
          fd = openSync(join(big, signal, name), 'w', 0o600);
          size = 0;
        }
        size += writeSync(fd, copyOf(chunk, ++copies[signal]));
      }
      if (fd >= 0) closeSync(fd);
    }
  };
  for (const signal of ['traces', 'metrics', 'logs']) {
    const lines = readdirSync(join(demo, signal)).flatMap((f) =>
      readFileSync(join(demo, signal, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l + '\n'),
    );
    chunks[signal] = lines.join('');
    mkdirSync(join(big, signal), { recursive: true });
  }
  addSegments(targetMiB * 1048576);
  for (const signal of ['traces', 'metrics', 'logs']) {
    for (const f of readdirSync(join(big, signal)))
      bytes += readFileSync(join(big, signal, f)).length;
  }
  const mib = bytes / 1048576;

  const measure = (label, args) => {
    const script = `const t=performance.now();${args};process.on('exit',()=>{process.stderr.write(JSON.stringify({s:(performance.now()-t)/1000,rss:process.resourceUsage().maxRSS/1024}))})`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    const m = JSON.parse(r.stderr.trim().split('\n').pop());
    console.log(
      `${label.padEnd(22)} ${m.s.toFixed(2)} s  ${(mib / m.s).toFixed(0)} MiB/s  peak RSS ${m.rss.toFixed(0)} MiB`,
    );
    return m;
  };
  console.log(
    `spool of ${mib.toFixed(0)} MiB (${big})${unique ? ', every copy with its own ids and times' : ''}`,
  );
  const reader = measure(
    'readSpool only',
    `const {readSpool}=await import(${JSON.stringify(join(root, 'packages/exporter-jsonl/dist/index.js'))});for await (const r of readSpool(${JSON.stringify(big)},{quarantine:false})){}`,
  );
  const cli = (...args) =>
    `const {runCli}=await import(${JSON.stringify(join(root, 'packages/cli/dist/index.js'))});const w=process.stdout.write.bind(process.stdout);process.stdout.write=()=>true;await runCli(${JSON.stringify([...args, '--dir', big])});process.stdout.write=w`;
  const report = measure('spool report --json', cli('report', '--json', '--no-index'));
  console.log(`report / reader time: ${(report.s / reader.s).toFixed(2)}x`);

  // The index (issue 15, G12–G16): first build, then the report from it, then after 10 MiB of
  // new segments (the report updates the index first). Ratios against the scan above.
  const build = measure('spool index (build)', cli('index', '--json'));
  const indexBytes = dirBytes(join(big, 'index'));
  console.log(
    `index bytes ${(indexBytes / 1048576).toFixed(1)} MiB = ${(indexBytes / bytes).toFixed(3)}x the spool's`,
  );
  console.log(`index build / reader time: ${(build.s / reader.s).toFixed(2)}x`);
  const indexed = measure('report from index', cli('report', '--json'));
  console.log(`indexed report / scan time: ${(indexed.s / report.s).toFixed(3)}x`);
  addSegments(10 * 1048576);
  const after = measure('report after +10 MiB', cli('report', '--json'));
  console.log(`report after +10 MiB / scan time: ${(after.s / report.s).toFixed(3)}x`);
} finally {
  if (keep) console.log(`kept: ${big}`);
  else rmSync(work, { recursive: true, force: true });
}
