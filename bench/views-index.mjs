#!/usr/bin/env node
// The dashboard's trace list and trace detail and `spool incident` (issue 15: "every view uses
// the index"): from the spool index against a full scan, on a big spool.
//
//   npx tsc -b && node bench/views-index.mjs [MiB=256]
//
// Builds the spool from two real `spool demo` runs (one with --crash), replicated into 8 MiB
// segments; unlike bench/report-big-spool.mjs each replica gets its own trace ids and times
// (shifted 10 s per replica), so the spool holds as many distinct traces as a real one would
// and "the newest traces" is a real question. Indexes it, then times each view in its own
// process, by scan and by index, the clock starting after the imports (a dashboard has its
// modules loaded). Prints seconds, the index/scan ratio and whether both answered the same.
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
const dist = (p) => JSON.stringify(join(root, 'packages/cli/dist', p));
const targetMiB = Number(process.argv[2] ?? 256);
const work = mkdtempSync(join(tmpdir(), 'otelspool-viewsindex-'));
const demo = join(work, 'demo');
const big = join(work, 'big');

/** One replica's lines: trace ids prefixed with the replica number, times shifted. */
function replica(text, r) {
  if (r === 0) return text;
  const prefix = r.toString(16).padStart(6, '0');
  const shift = BigInt(r) * 10_000_000_000n;
  return text
    .replace(/"traceId":"[0-9a-f]{6}/g, `"traceId":"${prefix}`)
    .replace(
      /"(startTimeUnixNano|endTimeUnixNano|timeUnixNano|observedTimeUnixNano)":"(\d+)"/g,
      (_, key, ns) => `"${key}":"${BigInt(ns) + shift}"`,
    );
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
  mkdirSync(join(big, 'crashes'), { recursive: true });
  for (const f of readdirSync(join(demo, 'crashes'))) {
    execFileSync('cp', [join(demo, 'crashes', f), join(big, 'crashes', f)]);
  }
  let bytes = 0;
  for (const signal of ['traces', 'metrics', 'logs']) {
    const chunk = readdirSync(join(demo, signal))
      .sort()
      .map((f) => readFileSync(join(demo, signal, f), 'utf8'))
      .join('');
    mkdirSync(join(big, signal), { recursive: true });
    const share = signal === 'traces' ? 0.8 : 0.1;
    let seq = 0;
    let fd = -1;
    let size = Infinity;
    let written = 0;
    for (let r = 0; written < targetMiB * 1048576 * share; r++) {
      if (size > 8 * 1048576) {
        if (fd >= 0) closeSync(fd);
        seq++;
        const name = `20261124T100000000Z_${1000 + seq}_beef_${String(seq).padStart(6, '0')}.jsonl`;
        fd = openSync(join(big, signal, name), 'w', 0o600);
        size = 0;
      }
      const n = writeSync(fd, replica(chunk, r));
      size += n;
      written += n;
    }
    if (fd >= 0) closeSync(fd);
    for (const f of readdirSync(join(big, signal))) bytes += statSync(join(big, signal, f)).size;
  }
  console.log(`spool of ${(bytes / 1048576).toFixed(0)} MiB (${big})`);

  const measure = (body, setup = '') => {
    const script = `${setup};const t=performance.now();const out=await (async()=>{${body}})();process.stderr.write(JSON.stringify({s:(performance.now()-t)/1000,out}))`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stderr.trim().split('\n').pop());
  };
  const dir = JSON.stringify(big);
  const build = measure(
    `const {updateSpoolIndex}=await import(${dist('spool-index/index-spool.js')});const s=await updateSpoolIndex(${dir});return s.rowsAdded.spans`,
  );
  console.log(`spool index (first build): ${build.s.toFixed(2)} s, ${build.out} spans`);

  const traceIndex = `const m=await import(${dist('web/trace-index.js')})`;
  const list = (opts) => measure(`return await m.listRecentTraces(${dir},50${opts})`, traceIndex);
  const listScan = list(',{index:false}');
  const listIndex = list('');
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const row = (label, scan, index) =>
    console.log(
      `${label.padEnd(34)} scan ${scan.s.toFixed(2)} s  index ${index.s.toFixed(3)} s  ratio ${(index.s / scan.s).toFixed(3)}  same ${same(scan.out, index.out)}`,
    );
  row('/api/traces (newest 50)', listScan, listIndex);
  const traceId = JSON.stringify(listScan.out[0].traceId);
  const detail = (opts) =>
    measure(`return await m.readTrace(${dir},${traceId}${opts})`, traceIndex);
  row('/api/traces/:id (newest trace)', detail(',{index:false}'), detail(''));
  const crash = readdirSync(join(big, 'crashes'))[0];
  const signature = JSON.parse(readFileSync(join(big, 'crashes', crash), 'utf8')).signature.id;
  const incident = (opts) =>
    measure(
      `const i=await m.buildIncident(${dir},${JSON.stringify(signature)}${opts});return {spans:i.relatedSpans,logs:i.relatedLogs,totals:i.relatedTotals}`,
      `const m=await import(${dist('analysis/incident.js')})`,
    );
  const incidentScan = incident(',{index:false}');
  row('spool incident (the crash group)', incidentScan, incident(''));
  console.log(`  related: ${JSON.stringify(incidentScan.out.totals)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
