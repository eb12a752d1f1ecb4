import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  quarantined,
  removeSpool,
  segmentName,
  tempSpool,
  traceLine,
  writeSegment,
} from './helpers.js';

const distIndex = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'index.js');

let dir: string;
beforeEach(() => {
  dir = tempSpool();
});
afterEach(() => {
  removeSpool(dir);
});

describe('readSpool memory', () => {
  it('reads past a 200 MB line with bounded memory (child process peak RSS)', () => {
    // Holding the line whole would cost ≥ 400 MB (bytes + decoded string); streaming it costs
    // the 16 MiB line limit plus one read chunk on top of Node's own baseline.
    const file = writeSegment(dir, 'traces', segmentName(1), `${traceLine(0)}\n`);
    const fd = openSync(file, 'a');
    const block = Buffer.alloc(8 * 1024 * 1024, 0x61);
    for (let i = 0; i < 25; i++) writeSync(fd, block);
    writeSync(fd, `\n${traceLine(1)}\n`);
    closeSync(fd);
    const script = `
      import { readSpool } from ${JSON.stringify(distIndex)};
      let n = 0;
      for await (const r of readSpool(${JSON.stringify(dir)})) n++;
      process.stdout.write(JSON.stringify({ n, maxRssKb: process.resourceUsage().maxRSS }));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout) as { n: number; maxRssKb: number };
    expect(result.n).toBe(2);
    expect(result.maxRssKb / 1024).toBeLessThan(200);
    expect(quarantined(dir)).toMatchObject([
      { line: 2, bytes: 25 * block.length, truncated: true },
    ]);
  });
});
