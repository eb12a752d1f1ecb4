#!/usr/bin/env node
// `npm run bench` (builds first): the G-rows of TARGETS.md and issue 10, DEFAULT settings on
// both sides. Each measurement runs in its own child process (same Node binary), the sides
// alternating (and their order alternating between repetitions); the median of the repetitions
// is reported. Lost data is part of every write-path row: spans produced and on disk are
// counted per side (outside the timed region) and a throughput ratio is judged only where
// neither side lost a span in any repetition. `--quick` runs one short repetition of each.
//   node bench/run.mjs [--quick] [--only=G2,G5]
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const quick = process.argv.includes('--quick');
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : undefined;
// --only=G2 selects G2@1…G2@10000; G9 selects G9r and G9s; crash / report by their ids.
const wanted = (id) => !only || only.some((o) => o === id || o === id.replace(/[a-z@].*$/, ''));
const reps = quick ? 1 : 3;
const size = (full, small) => String(quick ? small : full);

const stamp = () => new Date().toISOString().slice(11, 19);
const step = (label) => process.stderr.write(`[${stamp()}] ${label}\n`);

/** Runs one case in a fresh child process; its last stdout line is its JSON result. */
function runCase(file, args) {
  // Flush the previous case's dirty pages first, so no case pays for another's writeback.
  spawnSync('sync', { stdio: 'ignore' });
  try {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', join(here, 'cases', file), ...args],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300_000,
      },
    );
    return JSON.parse(out.trim().split('\n').pop());
  } catch (err) {
    return { error: String(err.message).split('\n')[0] };
  }
}

const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
};
const maxOf = (values) => Math.max(...values.map((v) => (typeof v === 'number' ? v : 0)));

/**
 * Runs every side `reps` times, sides alternating, the order rotated each repetition so no
 * side always runs first (or last) after the writeback of another. Returns results by side.
 */
function compare(file, sides) {
  const names = Object.keys(sides);
  const out = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < reps; i++) {
    const order = names.map((_, k) => names[(k + i) % names.length]);
    for (const name of order) out[name].push(runCase(file, sides[name]));
  }
  return out;
}

const rows = [];
const fmt = (n, digits = 0) =>
  typeof n === 'number' && Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits })
    : String(n);
const k = (n) => (n >= 10_000 ? `${fmt(n / 1000, 0)}k` : fmt(n));
const failed = (runs) => runs.find((r) => r.error)?.error;

function errorRow(id, what, runs) {
  rows.push({
    id,
    what,
    ours: 'failed to run',
    peer: '',
    ratio: '',
    target: '',
    pass: false,
    lost: '',
    check: failed(runs) ?? 'error',
  });
}

/**
 * A throughput row: median ops/s (wall) and ops per CPU-second per side, spans lost per side
 * (the worst repetition), and the ratio only when neither side lost a span.
 */
function throughputRow({ id, what, peerName, target, ours, peer, lostTarget, unit = 'spans/s' }) {
  if (failed(ours) || failed(peer)) return errorRow(id, what, [...ours, ...peer]);
  const o = median(ours.map((r) => r.opsPerSec));
  const p = median(peer.map((r) => r.opsPerSec));
  const oc = median(ours.map((r) => r.opsPerCpuSec));
  const pc = median(peer.map((r) => r.opsPerCpuSec));
  const lostOurs = maxOf(ours.map((r) => r.lost));
  const lostPeer = maxOf(peer.map((r) => r.lost));
  const produced = median(ours.map((r) => r.produced));
  const peerProduced = median(peer.map((r) => r.produced));
  const comparable = lostOurs === 0 && lostPeer === 0;
  const ratio = o / p;
  const cpuRatio = oc / pc;
  let pass;
  let targetText;
  if (lostTarget === 'zero') {
    // Only "lose nothing" is asked of this row (the ratio is printed for information).
    targetText = 'ours 0 lost';
    pass = lostOurs === 0;
  } else if (lostTarget === 'le-peer') {
    targetText = 'ours lost ≤ peer lost';
    pass = lostOurs <= lostPeer;
  } else {
    targetText = `≥ ${target}×, 0 lost`;
    pass = comparable && ratio >= target;
  }
  const cpuText = Number.isFinite(oc) ? ` (cpu ${fmt(oc)}/s)` : '';
  const peerCpuText = Number.isFinite(pc) ? ` (cpu ${fmt(pc)}/s)` : '';
  rows.push({
    id,
    what,
    ours: `${fmt(o)} ${unit}${cpuText}; ${k(produced - lostOurs)}/${k(produced)} on disk`,
    peer: `${peerName} ${fmt(p)} ${unit}${peerCpuText}; ${k(peerProduced - lostPeer)}/${k(peerProduced)} on disk`,
    ratio: comparable
      ? `${ratio.toFixed(2)} (cpu ${cpuRatio.toFixed(2)})`
      : `n/a: lost (${ratio.toFixed(2)} unjudged)`,
    target: targetText,
    pass,
    lost: `${fmt(lostOurs)} / ${fmt(lostPeer)}`,
    check: 'ok',
    raw: { ours, peer },
  });
}

// ---------------------------------------------------------------------------------------- G1
if (wanted('G1')) {
  step('G1 hot path');
  const n = size(300000, 60000);
  const r = compare('g1-hot-path.mjs', {
    ours: ['--impl=ours', `--n=${n}`],
    bsp: ['--impl=bsp', `--n=${n}`],
  });
  if (failed(r.ours) || failed(r.bsp)) errorRow('G1', 'hot path', [...r.ours, ...r.bsp]);
  else {
    const o = median(r.ours.map((x) => x.opsPerSec));
    const p = median(r.bsp.map((x) => x.opsPerSec));
    const ow = median(r.ours.map((x) => x.wallOpsPerSec));
    const pw = median(r.bsp.map((x) => x.wallOpsPerSec));
    const lostOurs = maxOf(r.ours.map((x) => x.dropped));
    const ratio = o / p;
    rows.push({
      id: 'G1',
      what: 'span start+10 attrs+end, 100/turn, sync loop time only (wall incl. exports)',
      ours: `${fmt(o)} spans/s (wall ${fmt(ow)}/s, real exporter)`,
      peer: `BSP+no-op exporter ${fmt(p)} spans/s (wall ${fmt(pw)}/s)`,
      ratio: lostOurs === 0 ? ratio.toFixed(2) : `${ratio.toFixed(2)} (ours dropped)`,
      target: '≥ 0.9×, 0 dropped',
      pass: ratio >= 0.9 && lostOurs === 0,
      lost: `${fmt(lostOurs)} / 0`,
      check: r.bsp.every((x) => x.exported === x.produced) ? 'ok' : 'FAILED: peer export count',
      raw: r,
    });
  }
}

// ---------------------------------------------------------------------------------------- G2
if (wanted('G2')) {
  // ~220k spans at 1,000/turn (issue 10); the others scaled to run a few seconds each.
  const plan = [
    { perTurn: 1, n: size(100000, 20000), lostTarget: 'zero' },
    { perTurn: 128, n: size(220000, 50000), lostTarget: 'zero' },
    { perTurn: 1000, n: size(220000, 60000), target: 1.3 },
    { perTurn: 10000, n: size(220000, 60000), lostTarget: 'le-peer' },
  ];
  for (const { perTurn, n, target, lostTarget } of plan) {
    step(`G2 bursts, ${perTurn} spans/turn`);
    const r = compare('g2-burst.mjs', {
      ours: ['--impl=ours', `--per-turn=${perTurn}`, `--n=${n}`],
      stock: ['--impl=stock', `--per-turn=${perTurn}`, `--n=${n}`],
    });
    throughputRow({
      id: `G2@${perTurn}`,
      what: `bursts → disk, end to end, ${fmt(perTurn)} spans/turn, defaults`,
      peerName: 'stock',
      target,
      lostTarget,
      ours: r.ours,
      peer: r.stock,
    });
  }
}

// ---------------------------------------------------------------------------------------- G5
if (wanted('G5')) {
  step('G5 event-loop delay at 50k spans/s');
  const common = quick ? ['--warmup-ms=500', '--ms=2000'] : ['--warmup-ms=1000', '--ms=5000'];
  const r = compare('g5-loop-delay.mjs', {
    none: ['--impl=none', ...common],
    stock: ['--impl=stock', ...common],
    ours: ['--impl=ours', ...common],
  });
  if (failed(r.none) || failed(r.stock) || failed(r.ours))
    errorRow('G5', 'event-loop delay', [...r.none, ...r.stock, ...r.ours]);
  else {
    const m = (side, key) => median(r[side].map((x) => x[key]));
    const base = m('none', 'p99Ms');
    const addedStock = m('stock', 'p99Ms') - base;
    const addedOurs = m('ours', 'p99Ms') - base;
    const lostOurs = maxOf(r.ours.map((x) => x.lost));
    const lostStock = maxOf(r.stock.map((x) => x.lost));
    const ratio = addedStock > 0 ? addedOurs / addedStock : NaN;
    const side = (name) =>
      `p99 ${m(name, 'p99Ms').toFixed(2)} (+${(m(name, 'p99Ms') - base).toFixed(2)}) max ${m(name, 'maxMs').toFixed(1)} ms; ` +
      `${k(m(name, 'produced') - maxOf(r[name].map((x) => x.lost)))}/${k(m(name, 'produced'))} on disk, ${k(m(name, 'producedRate'))}/s`;
    rows.push({
      id: 'G5',
      what: `added p99 loop delay, 50 spans/ms, eld resolution ${r.ours[0].resolution} ms`,
      ours: side('ours'),
      peer: `none p99 ${base.toFixed(2)} max ${m('none', 'maxMs').toFixed(1)} ms; stock ${side('stock')}`,
      ratio: `${ratio.toFixed(2)} of stock's added${lostOurs || lostStock ? ' (lost data)' : ''}`,
      target: 'ours added ≤ 0.15 ms and ≤ 0.25× stock, 0 lost',
      pass: addedOurs <= 0.15 && ratio <= 0.25 && lostOurs === 0,
      lost: `${fmt(lostOurs)} / ${fmt(lostStock)}`,
      check: 'ok',
      raw: r,
    });
  }
}

// ---------------------------------------------------------------------------------------- G6
if (wanted('G6')) {
  step('G6 overload');
  const r = runCase('g6-overload.mjs', [`--n=${size(300000, 100000)}`]);
  if (r.error) errorRow('G6', 'overload', [r]);
  else
    rows.push({
      id: 'G6',
      what: 'overload (4,096/turn), defaults: produced = written + dropped; RSS bound',
      ours: `${fmt(r.produced)} produced, ${fmt(r.written)} written (${fmt(r.evicted ?? 0)} since evicted by the 256 MiB cap), ${fmt(r.dropped)} dropped (stats()); RSS peak ${fmt(r.peakMb, 1)} MB (base ${fmt(r.baselineMb, 1)})`,
      peer: '—',
      ratio: '—',
      target: `exact; RSS ≤ base + ${fmt(r.queueMb, 1)} + 32 = ${fmt(r.limitMb, 1)} MB`,
      pass: r.ok,
      lost: `${fmt(r.produced - r.written - r.dropped)} uncounted (${fmt(r.dropped)} dropped, counted) / —`,
      check: r.exact ? 'ok' : 'FAILED: produced ≠ written + dropped',
      raw: r,
    });
}

// ---------------------------------------------------------------------------------------- G7
if (wanted('G7')) {
  for (const perTurn of [1000, 128]) {
    step(`G7 durability, ${perTurn} spans/turn`);
    const n = size(220000, 60000);
    const args = (d) => ['--impl=ours', `--per-turn=${perTurn}`, `--n=${n}`, `--durability=${d}`];
    const r = compare('g2-burst.mjs', {
      batch: args('batch'),
      interval: args('interval'),
      none: args('none'),
    });
    const diag = perTurn === 1000 ? '' : ' (diagnostic)';
    throughputRow({
      id: `G7@${perTurn}${diag ? 'd' : ''}`,
      what: `ours durability 'batch' vs 'none', ${fmt(perTurn)} spans/turn${diag}`,
      peerName: "'none'",
      target: 0.95,
      ours: r.batch,
      peer: r.none,
    });
    throughputRow({
      id: `G7i@${perTurn}${diag ? 'd' : ''}`,
      what: `ours default 'interval' vs 'none', ${fmt(perTurn)} spans/turn (info)`,
      peerName: "'none'",
      target: 0.95,
      ours: r.interval,
      peer: r.none,
    });
  }
}

// --------------------------------------------------------------------------------------- G11
if (wanted('G11')) {
  step('G11 start-up');
  const runs = quick ? 5 : 15;
  const spool = join(root, 'packages/cli/dist/bin/spool.js');
  const script = (name) => join(here, 'startup', name);
  const commands = {
    bare: () => [script('bare.mjs')],
    import: () => [script('ours-import.mjs')],
    ours: (dir) => [script('ours.mjs'), dir],
    nodesdk: (dir) => [script('nodesdk.mjs'), dir],
    nodeE0: () => ['-e', '0'],
    spoolVersion: () => [spool, '--version'],
  };
  const times = Object.fromEntries(Object.keys(commands).map((c) => [c, []]));
  // The sides that must leave their one span ('startup') in their dir; files are read whole,
  // so gzip or a binary format would need decoding here (neither side uses one at start-up).
  const spanWriters = { ours: true, nodesdk: true };
  const spanOnDisk = (dir) =>
    readdirSync(dir, { recursive: true, withFileTypes: true }).some(
      (e) =>
        e.isFile() &&
        e.name.endsWith('.jsonl') &&
        readFileSync(join(e.parentPath, e.name), 'utf8').includes('"name":"startup"'),
    );
  let errors = 0;
  const names = Object.keys(commands);
  for (let i = 0; i < runs + 1; i++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(j + i) % names.length];
      const dir = mkdtempSync(join(tmpdir(), 'otelspool-bench-g11-'));
      const t = performance.now();
      const res = spawnSync(process.execPath, commands[name](dir), {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 30_000,
      });
      const ms = performance.now() - t;
      // A side that exits fast without writing its span is a failure, not a fast start.
      const wroteSpan = !(name in spanWriters) || spanOnDisk(dir);
      rmSync(dir, { recursive: true, force: true });
      if (res.status !== 0 || !wroteSpan) errors++;
      if (i > 0) times[name].push(ms); // the first round warms the page cache, not counted
    }
  }
  const t = Object.fromEntries(names.map((n) => [n, median(times[n])]));
  const overBare = t.ours - t.bare;
  rows.push({
    id: 'G11a',
    what: `import + startTelemetry + 1 span + shutdown + exit, median of ${runs}`,
    ours: `${fmt(t.ours, 1)} ms (import alone ${fmt(t.import, 1)} ms)`,
    peer: `bare script ${fmt(t.bare, 1)} ms; NodeSDK ${fmt(t.nodesdk, 1)} ms`,
    ratio: `+${fmt(overBare, 1)} ms over bare; ${(t.ours / t.nodesdk).toFixed(2)}× NodeSDK`,
    target: '≤ bare + 60 ms, < NodeSDK',
    pass: overBare <= 60 && t.ours < t.nodesdk,
    lost: '—',
    check: errors === 0 ? 'ok' : `FAILED: ${errors} non-zero exits or spans not on disk`,
    raw: times,
  });
  const spoolOver = t.spoolVersion - t.nodeE0;
  rows.push({
    id: 'G11b',
    what: `spool --version, median of ${runs}`,
    ours: `${fmt(t.spoolVersion, 1)} ms`,
    peer: `node -e 0 ${fmt(t.nodeE0, 1)} ms`,
    ratio: `+${fmt(spoolOver, 1)} ms`,
    target: '≤ node -e 0 + 60 ms',
    pass: spoolOver <= 60,
    lost: '—',
    check: errors === 0 ? 'ok' : `FAILED: ${errors} non-zero exits`,
    raw: times,
  });
}

// ---------------------------------------------------------------------------------------- G3
if (wanted('G3')) {
  step('G3 lines');
  const n = size(150000, 40000);
  const r = compare('g3-lines.mjs', {
    ours: ['--impl=ours', `--n=${n}`],
    pino: ['--impl=pino', `--n=${n}`],
    bunyan: ['--impl=bunyan', `--n=${n}`],
  });
  const withLost = (xs) =>
    xs.map((x) => ({ ...x, produced: x.expected, lost: (x.expected ?? 0) - (x.lines ?? 0) }));
  for (const [id, peerName, target, peer] of [
    ['G3a', 'pino default dest', 1.9, r.pino],
    ['G3b', 'bunyan file', 1.2, r.bunyan],
  ]) {
    throughputRow({
      id,
      what: '~1.2 KB JSON lines to a file (SpoolWriter)',
      peerName,
      target,
      ours: withLost(r.ours),
      peer: withLost(peer),
      unit: 'lines/s',
    });
  }
}

// -------------------------------------------------------------------- contributed scripts
/** Runs a top-level bench script; returns its stdout (or throws). */
function runScript(file, args, timeout = 300_000) {
  spawnSync('sync', { stdio: 'ignore' });
  return execFileSync(process.execPath, [join(here, file), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout,
    maxBuffer: 64 * 1024 * 1024,
  });
}
const lastJson = (out) => {
  try {
    return JSON.parse(out.trim().split('\n').pop());
  } catch {
    return undefined;
  }
};
const contributed = [
  {
    id: 'G9r',
    file: 'g9-reader.mjs',
    args: quick ? ['20'] : [],
    row: (out) => {
      const j = lastJson(out);
      return {
        what: 'readSpool vs raw read+split+JSON.parse',
        ours: `${fmt(j.ours)} ${j.unit}`,
        peer: `raw ${fmt(j.peer)} ${j.unit}`,
        ratio: j.ratio.toFixed(2),
        target: `≥ ${j.target}×`,
        pass: j.ok && j.ratio >= j.target,
        check: j.ok ? 'ok' : 'FAILED',
      };
    },
  },
  {
    id: 'G9s',
    file: 'g9-receiver.mjs',
    args: quick ? ['100'] : [],
    row: (out) => {
      const lines = out.split('\n').filter((l) => /^(json|protobuf)\s/.test(l));
      const parsed = lines.map((l) => ({
        format: l.split(/\s+/)[0],
        ours: Number(/ours (\d+)/.exec(l)?.[1]),
        peer: Number(/parse\+discard (\d+)/.exec(l)?.[1]),
        ratio: Number(/ratio ([\d.]+)×/.exec(l)?.[1]),
        ok: /check: ok/.test(l),
      }));
      return {
        what: '`spool serve` receiver vs bare node:http parse+discard',
        ours: parsed.map((p) => `${p.format} ${fmt(p.ours)}/s`).join('; '),
        peer: parsed.map((p) => `${p.format} ${fmt(p.peer)}/s`).join('; '),
        ratio: parsed.map((p) => `${p.format} ${p.ratio.toFixed(2)}`).join('; '),
        target: '≥ 0.7× (json and protobuf)',
        pass: parsed.length === 2 && parsed.every((p) => p.ok && p.ratio >= 0.7),
        check: parsed.length === 2 && parsed.every((p) => p.ok) ? 'ok' : 'FAILED',
      };
    },
  },
  {
    id: 'G10',
    file: 'sync-throughput.mjs',
    args: quick ? ['500'] : [],
    row: (out) => {
      const rate = (label) =>
        Number(new RegExp(`^${label}.*?:\\s+(\\d+) records/s`, 'm').exec(out)?.[1]);
      const ratio = Number(/ratio ([\d.]+)×/.exec(out)?.[1]);
      const ok = /check: ok/.test(out);
      return {
        what: '`spool sync` (consent, redaction, cursors) vs naive read+gzip+POST',
        ours: `${fmt(rate('ours'))} records/s`,
        peer: `naive ${fmt(rate('naive'))} records/s`,
        ratio: ratio.toFixed(2),
        target: '≥ 0.5×',
        pass: ok && ratio >= 0.5,
        check: ok ? 'ok' : 'FAILED',
      };
    },
  },
  {
    id: 'crash',
    file: 'crash-latency.mjs',
    args: [quick ? '5' : '15'],
    row: (out) => {
      const j = lastJson(out);
      return {
        what: 'throw → crash report durable on disk (p95), median shown',
        ours: `p95 ${j.ours.report.p95.toFixed(1)} ms (with SDK ${j.oursSdk.report.p95.toFixed(1)} ms), median ${j.ours.report.median.toFixed(1)} ms`,
        peer: `process.report median ${j.peer.report.median.toFixed(1)} ms`,
        ratio: j.ratio.toFixed(2),
        target: `p95 < ${j.targetMs} ms`,
        pass: j.ok,
        check: 'ok',
      };
    },
  },
  {
    id: 'G15',
    file: 'search-index.mjs',
    args: [quick ? '16' : '128'],
    row: (out) => {
      // Every query's index/scan ratio; the row is judged on the worst, and only when the
      // index found exactly what the scan found.
      const queries = [
        ...out.matchAll(
          /^(\/api\/search|spool logs) (.+?)\s+scan ([\d.]+) s\s+index ([\d.]+) s\s+ratio ([\d.]+)\s+(?:totals|matched) (\d+)\/(\d+)/gm,
        ),
      ].map((m) => ({ kind: m[1], label: m[2].trim(), ratio: Number(m[5]), same: m[6] === m[7] }));
      const mib = /spool of (\d+) MiB/.exec(out)?.[1];
      const worst = Math.max(...queries.map((q) => q.ratio));
      const list = (kind) =>
        queries
          .filter((q) => q.kind === kind)
          .map((q) => q.ratio.toFixed(3))
          .join(', ');
      const ok = queries.length > 0 && queries.every((q) => q.same);
      return {
        what: `trace search by attribute and log search by text, index vs scan (${mib} MiB spool)`,
        ours: `trace ${list('/api/search')}; logs ${list('spool logs')}`,
        peer: 'full scan, same query',
        ratio: queries.length ? `worst ${worst.toFixed(3)}` : '—',
        target: '≤ 0.05×',
        pass: ok && worst <= 0.05,
        check: ok ? 'ok' : 'FAILED: no queries, or index and scan disagree',
      };
    },
  },
  {
    id: 'G15v',
    file: 'views-index.mjs',
    args: [quick ? '16' : '128'],
    row: (out) => {
      // The views that read back the lines the index names: trace list, trace detail, incident.
      const views = [
        ...out.matchAll(
          /^(.+?)\s+scan ([\d.]+) s\s+index ([\d.]+) s\s+ratio ([\d.]+)\s+same (\w+)/gm,
        ),
      ].map((m) => ({ label: m[1].trim(), ratio: Number(m[4]), same: m[5] === 'true' }));
      const mib = /spool of (\d+) MiB/.exec(out)?.[1];
      const ok = views.length === 3 && views.every((v) => v.same);
      return {
        what: `trace list, trace detail, incident: index vs scan (${mib} MiB spool, info)`,
        ours: views.map((v) => `${v.label} ${v.ratio.toFixed(3)}`).join('; '),
        peer: 'full scan, same view',
        ratio: views.length ? `worst ${Math.max(...views.map((v) => v.ratio)).toFixed(3)}` : '—',
        target: '— (info; same answer required)',
        pass: ok,
        check: ok ? 'ok' : 'FAILED: a view missing, or index and scan disagree',
      };
    },
  },
  {
    id: 'report',
    file: 'report-big-spool.mjs',
    args: [quick ? '16' : '128'],
    row: (out) => {
      const s = (label) =>
        new RegExp(`^${label}\\s+([\\d.]+) s.*?peak RSS (\\d+) MiB`, 'm').exec(out);
      const rep = s('spool report --json');
      const rd = s('readSpool only');
      const mib = /spool of (\d+) MiB/.exec(out)?.[1];
      return {
        what: `spool report on a ${mib} MiB spool vs a bare readSpool pass (info)`,
        ours: `${rep?.[1]} s, RSS ${rep?.[2]} MiB`,
        peer: `readSpool ${rd?.[1]} s, RSS ${rd?.[2]} MiB`,
        ratio: `${(Number(rep?.[1]) / Number(rd?.[1])).toFixed(2)}× the reader's time`,
        target: '— (info)',
        pass: Boolean(rep && rd),
        check: rep && rd ? 'ok' : 'FAILED',
      };
    },
  },
];
const indexRows = ['G12', 'G13', 'G14', 'G16'];
for (const c of contributed) {
  const needed = wanted(c.id) || (c.id === 'report' && indexRows.some(wanted));
  if (!needed || !existsSync(join(here, c.file))) continue;
  step(`${c.file} (${c.id})`);
  try {
    const out = runScript(c.file, c.args);
    rows.push({ id: c.id, lost: '—', ...c.row(out), raw: out });
  } catch (err) {
    errorRow(c.id, c.file, [{ error: String(err.message).split('\n')[0] }]);
  }
}

// ------------------------------------------------------------------------------ G12–G16
// The spool index (issue 15), from the same report-big-spool.mjs run as the `report` row: every
// ratio has both sides measured in that one run.
const bigReport = rows.find((r) => r.id === 'report' && typeof r.raw === 'string');
if (bigReport && ['G12', 'G13', 'G14', 'G16'].some(wanted)) {
  const out = bigReport.raw;
  const m = (label) => {
    const x = new RegExp(`^${label}\\s+([\\d.]+) s.*?peak RSS (\\d+) MiB`, 'm').exec(out);
    return x ? { s: Number(x[1]), rss: Number(x[2]) } : undefined;
  };
  const scan = m('spool report --json');
  const reader = m('readSpool only');
  const build = m('spool index \\(build\\)');
  const indexed = m('report from index');
  const after = m('report after \\+10 MiB');
  const idx = /^index bytes ([\d.]+) MiB = ([\d.]+)x/m.exec(out);
  const mib = /spool of (\d+) MiB/.exec(out)?.[1];
  const ratioRow = (id, what, ours, peer, limit, target) => {
    const ratio = ours && peer ? ours.s / peer.s : NaN;
    rows.push({
      id,
      what: `${what} (${mib} MiB spool)`,
      ours: ours ? `${ours.s} s, RSS ${ours.rss} MiB` : 'FAILED',
      peer: peer ? `${peer.s} s` : 'FAILED',
      ratio: Number.isFinite(ratio) ? ratio.toFixed(3) : '—',
      target,
      pass: ratio <= limit,
      lost: '—',
      check: Number.isFinite(ratio) ? 'ok' : 'FAILED',
    });
  };
  if (wanted('G12'))
    ratioRow('G12', 'report, index up to date vs full scan', indexed, scan, 0.05, '≤ 0.05×');
  if (wanted('G13'))
    ratioRow('G13', 'report after +10 MiB of segments vs full scan', after, scan, 0.1, '≤ 0.1×');
  if (wanted('G14')) {
    ratioRow('G14', 'first index build vs bare readSpool', build, reader, 1.5, '≤ 1.5×');
    rows.push({
      id: 'G14b',
      what: `index bytes vs spool bytes (${mib} MiB spool)`,
      ours: idx ? `${idx[1]} MiB` : 'FAILED',
      peer: `${mib} MiB`,
      ratio: idx ? idx[2] : '—',
      target: '≤ 0.5×',
      pass: idx ? Number(idx[2]) <= 0.5 : false,
      lost: '—',
      check: idx ? 'ok' : 'FAILED',
    });
  }
  if (wanted('G16')) {
    rows.push({
      id: 'G16',
      what: `peak RSS of the report from the index (${mib} MiB spool)`,
      ours: indexed ? `${indexed.rss} MiB` : 'FAILED',
      peer: scan ? `scan ${scan.rss} MiB` : '—',
      ratio: '—',
      target: '≤ 128 MB',
      pass: indexed ? indexed.rss * 1048576 <= 128e6 : false,
      lost: '—',
      check: indexed ? 'ok' : 'FAILED',
    });
  }
}

// ------------------------------------------------------------------------------------ table
const columns = ['id', 'what', 'ours', 'peer', 'ratio', 'target', 'pass', 'lost', 'check'];
const header = {
  id: 'id',
  what: 'what',
  ours: 'ours',
  peer: 'peer(s)',
  ratio: 'ratio',
  target: 'target',
  pass: 'pass/fail',
  lost: 'lost (ours / peer)',
  check: 'check',
};
const cell = (row, c) => (c === 'pass' ? (row.pass ? 'pass' : 'FAIL') : String(row[c] ?? ''));
const widths = columns.map((c) =>
  Math.max(header[c].length, ...rows.map((r) => cell(r, c).length)),
);
const line = (values) => values.map((v, i) => v.padEnd(widths[i])).join(' | ');
console.log(
  `\nnpm run bench${quick ? ' -- --quick' : ''} · Node ${process.version} · ${reps} repetition(s), median · defaults on both sides\n`,
);
console.log(line(columns.map((c) => header[c])));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const row of rows) console.log(line(columns.map((c) => cell(row, c))));
console.log(
  '\nlost = spans produced − spans found on disk afterwards − spans the writer reports evicted by the spool byte cap (default 256 MiB; a run that writes more evicts its oldest segments, counted in stats().evicted) (worst repetition); a ratio is judged only when both sides lost 0.',
);

const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });
const outFile = join(resultsDir, 'latest.json');
writeFileSync(
  outFile,
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, quick, reps, only, rows },
    null,
    2,
  ),
);
console.log(`results: ${outFile}`);
