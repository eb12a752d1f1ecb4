import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSpool, type TracesData } from '../../src/index.js';
import { makeTempDir, removeTempDir } from '../writer/helpers.js';

// The child runs the built dist/ (`npx tsc -b` first), with this Node binary.
const child = fileURLToPath(new URL('./fixtures/kill-child.mjs', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => {
  removeTempDir(dir);
});

/** Runs the child until it has acknowledged `acks` batches, then SIGKILLs it mid-write. */
function runAndKill(acks: number): Promise<Set<number>> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked = new Set<number>();
    let buffered = '';
    let killed = false;
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const m = /^ack (\d+)$/.exec(line);
        if (m) acked.add(Number(m[1]));
      }
      if (!killed && acked.size >= acks) {
        killed = true;
        proc.kill('SIGKILL');
      }
    });
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited without being killed (${signal})`));
      else resolve(acked);
    });
  });
}

describe('a writer killed with SIGKILL under batch durability', () => {
  it('leaves a readable spool holding every batch whose export reported success', async () => {
    const acked = await runAndKill(40);
    expect(acked.size).toBeGreaterThanOrEqual(40);
    const spansPerBatch = new Map<number, number>();
    for await (const record of readSpool(dir, { signals: ['traces'] })) {
      const data = record.data as TracesData;
      for (const rs of data.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) {
          for (const span of ss.spans ?? []) {
            const id = span.attributes?.find((a) => a.key === 'batch.id')?.value?.intValue;
            spansPerBatch.set(Number(id), (spansPerBatch.get(Number(id)) ?? 0) + 1);
          }
        }
      }
    }
    for (const id of acked) expect(spansPerBatch.get(id), `batch ${id}`).toBe(50);
  });
});
