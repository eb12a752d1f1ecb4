// Not a bench row: where `import '@otelspool/sdk'` spends its time, by package
// (`npx node bench/startup/groups.mjs [runs]`, default 9). Each run is a fresh process that
// imports the groups below one after another, in the order the SDK's own graph reaches them; a
// group's time is what it adds over the groups before it (its modules and any of their
// dependencies not loaded yet, e.g. @opentelemetry/core brings @opentelemetry/semantic-conventions).
// Prints the median and the minimum of the runs, and how many files each group loads (counted in
// one more run with a load hook, which is kept out of the timed runs).
import { spawnSync } from 'node:child_process';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const GROUPS = [
  '@opentelemetry/api',
  '@opentelemetry/api-logs',
  '@opentelemetry/core',
  '@opentelemetry/resources',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/sdk-logs',
  '@otelspool/exporter-jsonl/write-path',
  '@otelspool/crash',
  '@otelspool/sdk',
];
const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  const counting = process.argv[3] === 'count';
  let loaded = 0;
  if (counting) {
    registerHooks({
      load(url, context, next) {
        if (url.startsWith('file:')) loaded++;
        return next(url, context);
      },
    });
  }
  const out = [];
  let before = performance.now();
  let files = 0;
  for (const group of GROUPS) {
    await import(group);
    const now = performance.now();
    out.push(counting ? loaded - files : now - before);
    files = loaded;
    before = now;
  }
  console.log(JSON.stringify(out));
} else {
  const runs = Number(process.argv[2] ?? 9);
  const child = (mode) => {
    const r = spawnSync(process.execPath, [self, '--child', mode], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout.trim());
  };
  const times = GROUPS.map(() => []);
  for (let i = 0; i < runs + 1; i++) {
    const t = child('time');
    // the first run warms the page cache, not counted
    if (i > 0) t.forEach((ms, j) => times[j].push(ms));
  }
  const counts = child('count');
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const min = (xs) => Math.min(...xs);
  let total = 0;
  for (const [j, group] of GROUPS.entries()) {
    total += median(times[j]);
    console.log(
      `${group.padEnd(38)} ${median(times[j]).toFixed(1).padStart(6)} ms` +
        ` (min ${min(times[j]).toFixed(1).padStart(5)})  ${String(counts[j]).padStart(3)} files`,
    );
  }
  console.log(
    `${'sum of medians'.padEnd(38)} ${total.toFixed(1).padStart(6)} ms` +
      `        ${String(counts.reduce((a, b) => a + b, 0)).padStart(9)} files; median of ${runs} runs`,
  );
}
