import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readSpool,
  type ReadSpoolOptions,
  type Signal,
  type SpoolRecord,
} from '../../src/index.js';

export function tempSpool(): string {
  return mkdtempSync(join(tmpdir(), 'otelspool-reader-'));
}

export function removeSpool(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Segment names as our writer makes them; `seq` orders them. */
export function segmentName(seq: number, pid = 4242): string {
  return `20261124T093000000Z_${pid}_abcd_${String(seq).padStart(6, '0')}.jsonl`;
}

export function writeSegment(
  dir: string,
  signal: Signal,
  name: string,
  content: string | Buffer,
): string {
  mkdirSync(join(dir, signal), { recursive: true });
  const file = join(dir, signal, name);
  writeFileSync(file, content);
  return file;
}

/** A valid one-span TracesData line (no '\n'); `n` makes ids and names distinct. */
export function traceLine(n: number, extra = ''): string {
  const id = (n + 1).toString(16).padStart(16, '0');
  return (
    `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${id}${id}","spanId":"${id}",` +
    `"name":"span-${n}","startTimeUnixNano":"1700000000000000000"${extra}}]}]}]}`
  );
}

export function spanName(record: SpoolRecord): string | undefined {
  const data = record.data as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] };
  return data.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.name;
}

export async function collect(dir: string, options?: ReadSpoolOptions): Promise<SpoolRecord[]> {
  const out: SpoolRecord[] = [];
  for await (const record of readSpool(dir, options)) out.push(record);
  return out;
}

/** Quarantine entries, parsed, sorted by file name. */
export function quarantined(dir: string, signal: Signal = 'traces'): Record<string, unknown>[] {
  const qdir = join(dir, 'quarantine', signal);
  let names: string[];
  try {
    names = readdirSync(qdir).sort();
  } catch {
    return [];
  }
  return names.map((n) => ({ name: n, ...JSON.parse(readFileSync(join(qdir, n), 'utf8')) }));
}
