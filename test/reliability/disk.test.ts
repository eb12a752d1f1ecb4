// Disk faults under a running host: full file system, read-only remount, spool dir deleted,
// segment files replaced by directories. The host keeps running, its event loop is not held,
// drops are counted by reason, and writing resumes when the file system allows it again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, sleep, startNode, stopAll, type LineChild } from './helpers/processes.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import {
  bindReadOnly,
  clearImmutable,
  mountTmpfs,
  remountBind,
  setImmutable,
  unmountAll,
} from './helpers/mounts.js';
import { latestStats, totalDropped, waitForStats, type ChildStats } from './helpers/child-stats.js';
import { scanSpool } from './helpers/spool-check.js';
import { recordFigure } from './helpers/figures.js';

const CHILD = join(FIXTURES, 'telemetry-child.mjs');

/**
 * G5 targets max ≤ 3 ms of event-loop block caused by export. The child's histogram also holds
 * its own load generator, GC pauses and this shared 2-core machine's scheduling, so the test
 * asserts a bound that only a real block (a synchronous retry loop, a blocking fsync spin, a
 * hang) can break, and RELIABILITY.md reports the measured max and p99 against the 3 ms target.
 */
const LOOP_BLOCK_LIMIT_MS = 250;

let canMount = false;
let root = '';

beforeAll(async () => {
  root = await tempDir('disk');
  const probe = join(root, 'probe');
  mkdirSync(probe);
  canMount = mountTmpfs(probe, '1m');
});

afterAll(async () => {
  await stopAll();
  clearImmutable();
  unmountAll();
  await removeTempDirs();
});

function replaceDirWithFile(path: string, text: string): void {
  for (let attempt = 0; attempt < 50; attempt++) {
    const aside = `${path}.moved-${attempt}`;
    try {
      renameSync(path, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    try {
      writeFileSync(path, text, { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`could not replace ${path} with a file: the host kept recreating it`);
}

function startHost(dir: string, extraEnv: Record<string, string> = {}): LineChild {
  return startNode([CHILD], {
    env: {
      REL_DIR: dir,
      REL_DURABILITY: 'batch',
      REL_ROUND_SPANS: '20',
      REL_PAUSE_MS: '2',
      REL_REPORT_MS: '200',
      ...extraEnv,
    },
  });
}

async function stopHost(child: LineChild): Promise<ChildStats> {
  const last = latestStats(child);
  child.kill('SIGKILL');
  await child.exited;
  if (!last) throw new Error('host printed no stats');
  return last;
}

function expectHostHealthy(s: ChildStats): void {
  expect(s.loopMaxMs).toBeLessThanOrEqual(LOOP_BLOCK_LIMIT_MS);
}

describe('disk faults', () => {
  it('baseline: the same host on a healthy disk (event-loop figures to compare the faults with)', async () => {
    const dir = join(await tempDir('healthy'), 'spool');
    const host = startHost(dir);
    await waitForStats(host, (s) => s.stats.written.records > 5000, 30_000);
    const last = await stopHost(host);
    expectHostHealthy(last);
    expect(totalDropped(last)).toBe(0);
    recordFigure('disk.healthy-baseline', {
      written: last.stats.written.records,
      loopMaxMs: last.loopMaxMs,
      loopP99Ms: last.loopP99Ms,
    });
  });

  it('full file system: drops counted as io_error, host keeps running, writing resumes when space returns', async (ctx) => {
    if (!canMount) return ctx.skip();
    const mnt = join(root, 'full');
    mkdirSync(mnt);
    expect(mountTmpfs(mnt, '2m')).toBe(true);
    // Ballast leaves ~200 KiB: the spool fills it within a second.
    writeFileSync(join(mnt, 'ballast'), Buffer.alloc(1900 * 1024, 1));
    const dir = join(mnt, 'spool');
    const host = startHost(dir);
    const full = await waitForStats(host, (s) => totalDropped(s) > 0, 30_000);
    expect(full.stats.dropped.io_error ?? 0).toBeGreaterThan(0);
    // Still running and producing while the disk is full.
    const later = await waitForStats(host, (s) => s.produced > full.produced + 1000, 30_000);
    expect(later.stats.written.records).toBeGreaterThanOrEqual(0);

    unlinkSync(join(mnt, 'ballast'));
    const writtenAtRelease = later.stats.written.records;
    const resumed = await waitForStats(
      host,
      (s) => s.stats.written.records > writtenAtRelease + 500,
      30_000,
    );
    const last = await stopHost(host);
    expectHostHealthy(last);
    const scan = await scanSpool(dir);
    expect(scan.malformed).toEqual([]);
    recordFigure('disk.full', {
      droppedAtFull: full.stats.dropped,
      writtenAtRelease,
      writtenAfterResume: resumed.stats.written.records,
      loopMaxMs: last.loopMaxMs,
      loopP99Ms: last.loopP99Ms,
      recordsReadable: scan.records,
      tornSegments: scan.tornSegments,
    });
  });

  it('read-only dir (read-only bind mount) then rw: everything dropped and counted, then written', async (ctx) => {
    if (!canMount) return ctx.skip();
    const real = join(root, 'ro-real');
    const view = join(root, 'ro-view');
    mkdirSync(join(real, 'spool'), { recursive: true });
    mkdirSync(view);
    bindReadOnly(real, view);
    const dir = join(view, 'spool');
    const host = startHost(dir);
    let ro: ChildStats;
    try {
      ro = await waitForStats(host, (s) => s.produced > 3000 && totalDropped(s) > 1000, 30_000);
      expect(ro.stats.written.records).toBe(0);
    } finally {
      remountBind(view, 'rw');
    }
    const resumed = await waitForStats(host, (s) => s.stats.written.records > 1000, 30_000);
    const last = await stopHost(host);
    expectHostHealthy(last);
    const scan = await scanSpool(dir);
    expect(scan.malformed).toEqual([]);
    recordFigure('disk.readonly-dir', {
      droppedWhileReadOnly: ro.stats.dropped,
      producedWhileReadOnly: ro.produced,
      writtenAfterRw: resumed.stats.written.records,
      loopMaxMs: last.loopMaxMs,
      loopP99Ms: last.loopP99Ms,
      recordsReadable: scan.records,
    });
  });

  it('permission flip while writing (chattr +i on open segments, then -i): drops counted, writing resumes', async () => {
    const dir = join(await tempDir('flip'), 'spool');
    const host = startHost(dir);
    const before = await waitForStats(host, (s) => s.stats.written.records > 1000, 30_000);
    setImmutable(dir, true);
    let flipped: ChildStats;
    try {
      flipped = await waitForStats(
        host,
        (s) => totalDropped(s) > totalDropped(before) + 500,
        30_000,
      );
      await sleep(500);
    } finally {
      setImmutable(dir, false);
    }
    const writtenAtFlip = latestStats(host)!.stats.written.records;
    const resumed = await waitForStats(
      host,
      (s) => s.stats.written.records > writtenAtFlip + 1000,
      30_000,
    );
    const last = await stopHost(host);
    expectHostHealthy(last);
    const scan = await scanSpool(dir);
    expect(scan.malformed).toEqual([]);
    recordFigure('disk.permission-flip', {
      droppedWhileImmutable: flipped.stats.dropped,
      writtenAtFlip,
      writtenAfterResume: resumed.stats.written.records,
      loopMaxMs: last.loopMaxMs,
      loopP99Ms: last.loopP99Ms,
      recordsReadable: scan.records,
    });
  });

  it('spool dir deleted while writing: host keeps running, the spool is recreated and written again', async () => {
    const dir = join(await tempDir('deleted'), 'spool');
    const host = startHost(dir);
    await waitForStats(host, (s) => s.stats.written.records > 1000, 30_000);
    // the writer may recreate files while rm walks the tree: retry ENOTEMPTY (bounded)
    rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 5 });
    const writtenAtDelete = latestStats(host)!.stats.written.records;
    const resumed = await waitForStats(
      host,
      (s) => s.stats.written.records > writtenAtDelete + 2000,
      30_000,
    );
    const last = await stopHost(host);
    expectHostHealthy(last);
    const scan = await scanSpool(dir);
    expect(scan.malformed).toEqual([]);
    // records written after the deletion are on disk again
    const onDisk = scan.records.traces + scan.records.logs;
    expect(onDisk).toBeGreaterThan(0);
    recordFigure('disk.deleted', {
      writtenAtDelete,
      writtenAfter: resumed.stats.written.records,
      dropped: last.stats.dropped,
      recordsReadableAfterDelete: scan.records,
      loopMaxMs: last.loopMaxMs,
      loopP99Ms: last.loopP99Ms,
    });
  });

  it('segment files and a signal dir replaced by directories/files: host keeps running, reader copes', async () => {
    const dir = join(await tempDir('replaced'), 'spool');
    const host = startHost(dir, {
      REL_SPOOL_JSON: JSON.stringify({ maxSegmentBytes: 256 * 1024 }),
    });
    await waitForStats(host, (s) => s.stats.written.records > 2000, 30_000);
    // every existing trace segment (the active one too) becomes a directory
    const tracesDir = join(dir, 'traces');
    let replaced = 0;
    for (const name of readdirSync(tracesDir)) {
      const p = join(tracesDir, name);
      if (!statSync(p).isFile()) continue;
      unlinkSync(p);
      mkdirSync(p);
      writeFileSync(join(p, 'inner.jsonl'), 'not a segment\n');
      replaced++;
    }
    // and the logs signal dir becomes a plain file
    // (renamed away, not removed in place: the host keeps creating segments in it, so a
    // recursive rm races with it and fails with ENOTEMPTY; a rename is atomic, and the loop
    // covers the host recreating the dir between the rename and the write)
    replaceDirWithFile(join(dir, 'logs'), 'a file where a directory should be\n');
    const at = latestStats(host)!;
    const after = await waitForStats(host, (s) => s.produced > at.produced + 5000, 30_000);
    const last = await stopHost(host);
    expectHostHealthy(last);
    // The reader meets directories named *.jsonl and a file named logs: no throw, no hang.
    const scan = await scanSpool(dir);
    expect(scan.records.traces).toBeGreaterThan(0); // segments opened after the fault
    recordFigure('disk.replaced', {
      replacedSegments: replaced,
      writtenBefore: at.stats.written.records,
      writtenAfter: after.stats.written.records,
      droppedAfter: after.stats.dropped,
      readerMalformed: scan.malformed.map((m) => m.reason).slice(0, 3),
      recordsReadable: scan.records,
      loopMaxMs: last.loopMaxMs,
      loopP99Ms: last.loopP99Ms,
    });
  });
});
