#!/usr/bin/env node
// `npm run bench` (builds first): the G-rows of TARGETS.md. Each measurement runs in its own
// child process (same Node binary), ours and the peer alternating, and the median of the
// repetitions is reported with the ratio, the target and a correctness check that each case
// performs outside its timed region. `--quick` runs one short repetition of each.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const reps = quick ? 1 : 3;
const size = (full, small) => String(quick ? small : full);

function runCase(file, args) {
  // Flush the previous case's dirty pages first, so no case pays for another's writeback.
  spawnSync('sync', { stdio: 'ignore' });
  const out = execFileSync(process.execPath, ['--expose-gc', join(here, 'cases', file), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  const last = out.trim().split('\n').pop();
  return JSON.parse(last);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

/** Runs ours and the peer alternately `reps` times; returns all results of each. */
function compare(file, oursArgs, peerArgs) {
  const ours = [];
  const peer = [];
  for (let i = 0; i < reps; i++) {
    ours.push(runCase(file, oursArgs));
    peer.push(runCase(file, peerArgs));
  }
  return { ours, peer };
}

const rows = [];
const fmt = (n, digits = 0) =>
  typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : String(n);

function throughputRow(id, what, peerName, target, { ours, peer }) {
  const o = median(ours.map((r) => r.opsPerSec));
  const p = median(peer.map((r) => r.opsPerSec));
  const ratio = o / p;
  // Throughput per CPU-second as well: on a shared machine it is the steadier of the two.
  const cpuRatio =
    ours[0]?.opsPerCpuSec && peer[0]?.opsPerCpuSec
      ? median(ours.map((r) => r.opsPerCpuSec)) / median(peer.map((r) => r.opsPerCpuSec))
      : undefined;
  const correct = [...ours, ...peer].every((r) => r.ok !== false);
  rows.push({
    id,
    what,
    ours: `${fmt(o)}/s`,
    peer: `${peerName} ${fmt(p)}/s`,
    ratio:
      cpuRatio === undefined
        ? ratio.toFixed(2)
        : `${ratio.toFixed(2)} (cpu ${cpuRatio.toFixed(2)})`,
    target: `≥ ${target}×`,
    pass: ratio >= target,
    check: correct ? 'ok' : 'FAILED',
    raw: { ours, peer },
  });
}

const stamp = () => new Date().toISOString().slice(11, 19);
const step = (label) => process.stderr.write(`[${stamp()}] ${label}\n`);

step('G1 hot path');
{
  const n = size(300000, 60000);
  const r = compare('g1-hot-path.mjs', ['--impl=ours', `--n=${n}`], ['--impl=bsp', `--n=${n}`]);
  for (const x of r.ours) x.ok = x.dropped === 0;
  throughputRow('G1', 'span start+10 attrs+end, processor attached', 'BatchSpanProcessor', 0.95, r);
}

step('G2 spans → disk');
{
  const n = size(150000, 40000);
  const r = compare('g2-pipeline.mjs', ['--impl=ours', `--n=${n}`], ['--impl=stock', `--n=${n}`]);
  throughputRow(
    'G2',
    'spans → OTLP-JSON on disk, end to end',
    'BSP+JsonTraceSerializer+writeSync',
    1.15,
    r,
  );
}

step('G3 lines');
{
  const n = size(150000, 40000);
  const ours = [];
  const pino = [];
  const bunyan = [];
  for (let i = 0; i < reps; i++) {
    ours.push(runCase('g3-lines.mjs', ['--impl=ours', `--n=${n}`]));
    pino.push(runCase('g3-lines.mjs', ['--impl=pino', `--n=${n}`]));
    bunyan.push(runCase('g3-lines.mjs', ['--impl=bunyan', `--n=${n}`]));
  }
  throughputRow('G3a', '~1.2 KB JSON lines to a file', 'pino default dest', 1.9, {
    ours,
    peer: pino,
  });
  throughputRow('G3b', '~1.2 KB JSON lines to a file', 'bunyan file', 1.2, { ours, peer: bunyan });
}

step('G5 event-loop blocking');
{
  const batches = size(40, 16);
  const { ours, peer } = compare(
    'g5-loop-block.mjs',
    ['--impl=ours', `--batches=${batches}`],
    ['--impl=stock', `--batches=${batches}`],
  );
  const p99 = median(ours.map((r) => r.p99Ms));
  const max = median(ours.map((r) => r.maxMs));
  const peerP99 = median(peer.map((r) => r.p99Ms));
  const peerMax = median(peer.map((r) => r.maxMs));
  rows.push({
    id: 'G5',
    what: 'longest event-loop turn while exporting 512-span batches',
    ours: `p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms`,
    peer: `stock p99 ${peerP99.toFixed(2)} ms, max ${peerMax.toFixed(2)} ms`,
    ratio: (peerP99 / p99).toFixed(2),
    target: 'p99 ≤ 1 ms, max ≤ 3 ms',
    pass: p99 <= 1 && max <= 3,
    check: [...ours, ...peer].every((r) => r.ok) ? 'ok' : 'FAILED',
    raw: { ours, peer },
  });
}

step('G6 overload');
{
  const r = runCase('g6-overload.mjs', [`--n=${size(300000, 100000)}`]);
  rows.push({
    id: 'G6',
    what: 'overload: produced − written == dropped; bounded RSS',
    ours: `${fmt(r.produced)} produced, ${fmt(r.written)} written, ${fmt(r.dropped)} dropped; RSS peak ${fmt(r.peakMb, 1)} MB`,
    peer: '—',
    ratio: '—',
    target: `exact; RSS ≤ ${fmt(r.limitMb, 1)} MB`,
    pass: r.ok,
    check: r.exact ? 'ok' : 'FAILED',
    raw: r,
  });
}

step('G7 fsync per batch');
{
  const n = size(150000, 40000);
  const r = compare(
    'g2-pipeline.mjs',
    ['--impl=ours', '--durability=batch', `--n=${n}`],
    ['--impl=ours', '--durability=none', `--n=${n}`],
  );
  throughputRow('G7', "durability 'batch' vs 'none' (ours, end to end)", "ours 'none'", 0.95, r);
}

// Rows contributed by other parts of the project, run when present. They take positional
// sizes (reader: megabytes; receiver: requests); --quick passes small ones.
const contributed = { 'g9-reader.mjs': ['20'], 'g9-receiver.mjs': ['100'] };
for (const [extra, quickArgs] of Object.entries(contributed)) {
  const file = join(here, extra);
  if (!existsSync(file)) continue;
  step(`${extra} (contributed row)`);
  try {
    const out = execFileSync(process.execPath, [file, ...(quick ? quickArgs : [])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 120_000,
    });
    const last = out.trim().split('\n').pop() ?? '';
    let row;
    try {
      row = JSON.parse(last);
    } catch {
      row = undefined;
    }
    if (row && typeof row === 'object' && row.id) rows.push({ check: 'ok', ...row, raw: row });
    else process.stdout.write(out);
  } catch (err) {
    rows.push({
      id: extra,
      what: 'contributed benchmark',
      ours: 'failed to run',
      peer: '',
      ratio: '',
      target: '',
      pass: false,
      check: String(err.message).split('\n')[0],
    });
  }
}

const columns = ['id', 'what', 'ours', 'peer', 'ratio', 'target', 'pass', 'check'];
const cell = (row, c) => (c === 'pass' ? (row.pass ? 'pass' : 'MISS') : String(row[c] ?? ''));
const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
const line = (values) => values.map((v, i) => v.padEnd(widths[i])).join(' | ');
console.log(
  `\nnpm run bench${quick ? ' -- --quick' : ''} · Node ${process.version} · ${reps} repetition(s), median\n`,
);
console.log(line(columns));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const row of rows) console.log(line(columns.map((c) => cell(row, c))));

const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });
const outFile = join(resultsDir, 'latest.json');
writeFileSync(
  outFile,
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, quick, reps, rows },
    null,
    2,
  ),
);
console.log(`\nresults: ${outFile}`);
