import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'otelspool-writer-'));
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Segment file names of one signal directory, sorted (= time order). */
export function segmentFiles(dir: string, signal = 'logs'): string[] {
  try {
    return readdirSync(join(dir, signal)).sort();
  } catch {
    return [];
  }
}

/** Every line of every segment of `signal`, in file order (gz decompressed). */
export function segmentLines(dir: string, signal = 'logs'): string[] {
  const out: string[] = [];
  for (const name of segmentFiles(dir, signal)) {
    let data = readFileSync(join(dir, signal, name));
    if (name.endsWith('.gz')) data = gunzipSync(data);
    const text = data.toString('utf8');
    for (const line of text.split('\n')) if (line.length > 0) out.push(line);
  }
  return out;
}

/** A JSON line of exactly `bytes` UTF-8 bytes (without the newline) carrying `id`. */
export function lineOf(id: number, bytes = 100): string {
  const head = `{"id":${id},"pad":"`;
  return head + 'p'.repeat(Math.max(0, bytes - head.length - 2)) + '"}';
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
