// Helpers shared by the benchmark cases: temp dirs, line counting, yielding, timing.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `otelspool-bench-${prefix}-`));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Every line of every file under `dir` (recursively), parsed; throws on a malformed line. */
export function readJsonLines(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        let text = readFileSync(p);
        if (p.endsWith('.gz')) text = gunzipSync(text);
        for (const line of text.toString('utf8').split('\n')) {
          if (line.length === 0) continue;
          out.push(JSON.parse(line));
        }
      }
    }
  };
  walk(dir);
  return out;
}

export function countSpans(tracesData) {
  let n = 0;
  for (const rs of tracesData.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? []) n += (ss.spans ?? []).length;
  return n;
}

/** Prints the case result for the parent (bench/run.mjs) as the last stdout line. */
export function report(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function argValue(name, fallback) {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a.startsWith(prefix));
  return arg === undefined ? fallback : arg.slice(prefix.length);
}

/**
 * Spans in the OTLP-JSON lines of `<dir>/<signal>/*.jsonl` (and `.jsonl.gz`): the on-disk count
 * of a spool (or of the stock side's file dir). Read after the timed region.
 */
export function countSpansInDir(dir, signal = 'traces') {
  const d = join(dir, signal);
  let spans = 0;
  let lines = 0;
  let bytes = 0;
  let entries;
  try {
    entries = readdirSync(d);
  } catch {
    return { spans: 0, lines: 0, bytes: 0 };
  }
  for (const name of entries) {
    if (!name.endsWith('.jsonl') && !name.endsWith('.jsonl.gz')) continue;
    let buf = readFileSync(join(d, name));
    if (name.endsWith('.gz')) buf = gunzipSync(buf);
    bytes += buf.length;
    for (const line of buf.toString('utf8').split('\n')) {
      if (line.length === 0) continue;
      spans += countSpans(JSON.parse(line));
      lines++;
    }
  }
  return { spans, lines, bytes };
}

/** CPU time (user + system, all threads of the process) since `since` (a process.cpuUsage()). */
export function cpuMsSince(since) {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
}
