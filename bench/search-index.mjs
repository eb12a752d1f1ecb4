#!/usr/bin/env node
// Trace search by attribute value and log search by text (issue 15, G15): the spool index
// against a full scan, on the spool bench/report-big-spool.mjs builds (two real `spool demo`
// runs replicated into 8 MiB segments).
//
//   npx tsc -b && node bench/search-index.mjs [MiB=128]
//
// Times `spool index` (first build), then each query in its own process, by scan and by index
// (the index is up to date, so the search's check finds nothing new); the clock starts after
// the imports. Prints seconds, the
// index/scan ratio, the totals of both (they must be equal) and index bytes / spool bytes.
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
const targetMiB = Number(process.argv[2] ?? 128);
const work = mkdtempSync(join(tmpdir(), 'otelspool-searchindex-'));
const demo = join(work, 'demo');
const big = join(work, 'big');

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
  for (const signal of ['traces', 'metrics', 'logs']) {
    const chunk = readdirSync(join(demo, signal))
      .flatMap((f) =>
        readFileSync(join(demo, signal, f), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => l + '\n'),
      )
      .join('');
    mkdirSync(join(big, signal), { recursive: true });
    const share = signal === 'traces' ? 0.8 : 0.1;
    let seq = 0;
    let fd = -1;
    let size = Infinity;
    for (let written = 0; written < targetMiB * 1048576 * share; written += chunk.length) {
      if (size > 8 * 1048576) {
        if (fd >= 0) closeSync(fd);
        seq++;
        const name = `20261124T100000000Z_${1000 + seq}_beef_${String(seq).padStart(6, '0')}.jsonl`;
        fd = openSync(join(big, signal, name), 'w', 0o600);
        size = 0;
      }
      size += writeSync(fd, chunk);
    }
    if (fd >= 0) closeSync(fd);
    for (const f of readdirSync(join(big, signal))) bytes += statSync(join(big, signal, f)).size;
  }
  const mib = bytes / 1048576;
  console.log(`spool of ${mib.toFixed(0)} MiB (${big})`);

  // `setup` (the imports) runs before the clock starts: a dashboard has its modules loaded.
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
  const db = join(big, 'index', 'spool.sqlite');
  const indexBytes = statSync(db).size;
  console.log(
    `spool index (first build): ${build.s.toFixed(2)} s; index ${(indexBytes / 1048576).toFixed(1)} MiB = ${(indexBytes / bytes).toFixed(2)}x the spool`,
  );

  // What every indexed search pays first: bringing the index up to date (here: nothing new).
  const update = measure(
    `const s=await updateSpoolIndex(${dir});return s.segmentsIndexed`,
    `const {updateSpoolIndex}=await import(${dist('spool-index/index-spool.js')})`,
  );
  console.log(`spool index (up to date, no-op): ${update.s.toFixed(3)} s`);

  const spanQueries = [
    ['attr preset.name=Big Hall', `{attributes:[{key:'preset.name',value:'Big Hall'}]}`],
    ['attr plugin.name=hall-reverb', `{attributes:[{key:'plugin.name',value:'hall-reverb'}]}`],
    [
      'attr os.type=linux (resource) + error',
      `{attributes:[{key:'os.type',value:'linux'}],errorOnly:true}`,
    ],
  ];
  for (const [label, filter] of spanQueries) {
    const search = `({...${filter},sort:'time',order:'desc',limit:50,offset:0})`;
    const scan = measure(
      `return (await m.searchSpansByScan(${dir},${search})).total`,
      `const m=await import(${dist('web/trace-search.js')})`,
    );
    const index = measure(
      `return (await m.searchSpansFromIndex(${dir},${search})).total`,
      `const m=await import(${dist('spool-index/search-spans.js')})`,
    );
    console.log(
      `/api/search ${label.padEnd(30)} scan ${scan.s.toFixed(2)} s  index ${index.s.toFixed(3)} s  ratio ${(index.s / scan.s).toFixed(3)}  totals ${scan.out}/${index.out}`,
    );
  }
  const logQueries = [
    ['|= "could not"', `{logql:'{level=~".+"} |= "could not"',limit:100}`],
    ['--grep "session started"', `{grep:['session started'],limit:100}`],
  ];
  for (const [label, query] of logQueries) {
    const scan = measure(
      `return (await l.queryLogs(l.compileLogQuery(${query}),readSpool(${dir},{signals:['logs']}))).matched`,
      `const l=await import(${dist('logs/index.js')});const {readSpool}=await import('@otelspool/exporter-jsonl')`,
    );
    const index = measure(
      `return (await s.queryLogsIndexed(${dir},l.compileLogQuery(${query}))).matched`,
      `const l=await import(${dist('logs/index.js')});const s=await import(${dist('spool-index/search-logs.js')})`,
    );
    console.log(
      `spool logs ${label.padEnd(31)} scan ${scan.s.toFixed(2)} s  index ${index.s.toFixed(3)} s  ratio ${(index.s / scan.s).toFixed(3)}  matched ${scan.out}/${index.out}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
