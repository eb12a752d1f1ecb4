// Not a bench row: which packages `import '@otelspool/sdk'` loads, with file counts and source
// bytes per package, to see where G11's import time can go (`npx node bench/startup/module-graph.mjs`).
// Times per package are not printed: in one process they overlap (a package's cost includes
// what it imports first), and across processes the host's noise (±25 %) is larger than most.
import { registerHooks } from 'node:module';

const loaded = new Map();
registerHooks({
  load(url, context, nextLoad) {
    const result = nextLoad(url, context);
    const source = result.source;
    loaded.set(
      url,
      typeof source === 'string' ? Buffer.byteLength(source) : (source?.byteLength ?? 0),
    );
    return result;
  },
});

const t = performance.now();
await import('@otelspool/sdk');
const ms = performance.now() - t;

/** node:* → one "built-ins" row; …/node_modules/@scope/name/… → @scope/name; …/packages/name/… → packages/name. */
const packageOf = (url) => {
  if (url.startsWith('node:')) return 'node: built-ins';
  const inModules = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (inModules) return inModules[1];
  const inRepo = url.match(/\/(packages\/[^/]+)\//);
  return inRepo ? inRepo[1] : url;
};
const byPackage = new Map();
for (const [url, bytes] of loaded) {
  const name = packageOf(url);
  const entry = byPackage.get(name) ?? { files: 0, bytes: 0 };
  entry.files++;
  entry.bytes += bytes;
  byPackage.set(name, entry);
}
const rows = [...byPackage].sort((a, b) => b[1].bytes - a[1].bytes);
for (const [name, { files, bytes }] of rows) {
  console.log(
    `${name.padEnd(40)} ${String(files).padStart(4)} files ${(bytes / 1024).toFixed(1).padStart(8)} KiB`,
  );
}
const files = rows.reduce((n, [, e]) => n + e.files, 0);
console.log(`import took ${ms.toFixed(1)} ms (with the hook's own overhead), ${files} modules`);
