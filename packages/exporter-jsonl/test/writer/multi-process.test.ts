import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSpool } from '../../src/index.js';
import { makeTempDir, removeTempDir, segmentFiles, segmentLines } from './helpers.js';

// Children run the built dist/ (`npx tsc -b` first), with this Node binary.
const child = fileURLToPath(new URL('./fixtures/child-writer.mjs', import.meta.url));
const run = promisify(execFile);

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => {
  removeTempDir(dir);
});

describe('several processes writing one spool', () => {
  it('loses no line and interleaves none', async () => {
    const CHILDREN = 4;
    const COUNT = 3000;
    const results = await Promise.all(
      Array.from({ length: CHILDREN }, (_, c) =>
        run(process.execPath, [child, dir, String(c), String(COUNT)]),
      ),
    );
    for (const r of results) expect(JSON.parse(r.stdout.trim())).toMatchObject({ written: COUNT });
    // every line is a whole JSON object, and each child's lines are all there, once, in order
    const seen = Array.from({ length: CHILDREN }, () => [] as number[]);
    for (const line of segmentLines(dir)) {
      const record = JSON.parse(line).resourceLogs[0].scopeLogs[0].logRecords[0];
      const c = Number(record.attributes[0].value.intValue);
      expect(record.body.stringValue).toHaveLength(200 + c * 37);
      seen[c]!.push(Number(record.attributes[1].value.intValue));
    }
    for (const ids of seen) expect(ids.sort((a, b) => a - b)).toEqual([...Array(COUNT).keys()]);
    const pids = new Set(segmentFiles(dir).map((f) => f.split('_')[1]));
    expect(pids.size).toBe(CHILDREN);
    // and the project's reader agrees
    let records = 0;
    for await (const record of readSpool(dir, { signals: ['logs'], quarantine: false })) {
      void record;
      records += 1;
    }
    expect(records).toBe(CHILDREN * COUNT);
  });
});
