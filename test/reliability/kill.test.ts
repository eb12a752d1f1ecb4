// Kill harness: an instrumented host under sustained load is SIGKILLed at random moments in
// every durability mode; then `spool sync` is SIGKILLed mid-upload into a real OTLP/HTTP server.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSessionLedger } from '@otelspool/crash';
import { FIXTURES, runSpool, sleep, startNode, stopAll, SPOOL_BIN } from './helpers/processes.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { scanSpool } from './helpers/spool-check.js';
import { OtlpSink } from './helpers/otlp-sink.js';
import { recordFigure } from './helpers/figures.js';

/** A byte cap the unthrottled modes cannot reach, so nothing is evicted during the harness. */
const ROOMY_SPOOL = JSON.stringify({ maxSpoolBytes: 4 * 1024 ** 3 });

const CHILD = join(FIXTURES, 'telemetry-child.mjs');
const KILLS_PER_MODE = 18; // 54 SIGKILLs in all
const CRASHES_PER_MODE = 2; // plus uncaught exceptions under load, among the kills
const ROUND_SPANS = 40;
const MODES = ['none', 'interval', 'batch'] as const;

afterAll(async () => {
  await stopAll();
  await removeTempDirs();
});

interface Run {
  sessionId: string | undefined;
  lastRun:
    | {
        abnormal?: boolean;
        crashed?: boolean;
        previousSession?: { id: string; state: string } | null;
      }
    | undefined;
  acked: number;
  crashed?: boolean;
}

/** A run that dies of an uncaught exception under load (a crash, not a kill). */
async function crashOnce(dir: string, durability: string, crashAfterMs: number): Promise<Run> {
  const run: Run = { sessionId: undefined, lastRun: undefined, acked: 0, crashed: true };
  const child = startNode([CHILD], {
    env: {
      REL_DIR: dir,
      REL_DURABILITY: durability,
      REL_SPOOL_JSON: ROOMY_SPOOL,
      REL_ROUND_SPANS: String(ROUND_SPANS),
      REL_ACK: '1',
      REL_REPORT_MS: '100000',
      REL_CRASH_AFTER_MS: String(crashAfterMs),
    },
    onLine: (line) => {
      if (line.startsWith('ready ')) {
        const [, id, ...rest] = line.split(' ');
        run.sessionId = id;
        run.lastRun = JSON.parse(rest.join(' ')) as Run['lastRun'];
      } else if (line.startsWith('ack ')) {
        run.acked = Number(line.slice(4));
      }
    },
  });
  const exit = await child.exited;
  expect(exit.code, child.stderr()).not.toBe(0);
  return run;
}

async function killOnce(dir: string, durability: string, killAfterMs: number): Promise<Run> {
  const run: Run = { sessionId: undefined, lastRun: undefined, acked: 0 };
  const child = startNode([CHILD], {
    env: {
      REL_DIR: dir,
      REL_DURABILITY: durability,
      REL_SPOOL_JSON: ROOMY_SPOOL,
      REL_ROUND_SPANS: String(ROUND_SPANS),
      REL_ACK: '1',
      REL_REPORT_MS: '100000',
    },
    onLine: (line) => {
      if (line.startsWith('ready ')) {
        const [, id, ...rest] = line.split(' ');
        run.sessionId = id;
        run.lastRun = JSON.parse(rest.join(' ')) as Run['lastRun'];
      } else if (line.startsWith('ack ')) {
        run.acked = Number(line.slice(4));
      }
    },
  });
  // the random moment is measured from spawn: some kills land during start-up
  await Promise.race([sleep(killAfterMs), child.exited]);
  // snapshot the acknowledgements the parent has *received* before the kill is sent
  const ackedBeforeKill = run.acked;
  const sessionId = run.sessionId;
  child.kill('SIGKILL');
  const exit = await child.exited;
  expect(exit.signal, child.stderr()).toBe('SIGKILL');
  return { ...run, sessionId, acked: ackedBeforeKill };
}

describe('kill harness: SDK host SIGKILLed under load', () => {
  for (const mode of MODES) {
    it(`${mode}: ${KILLS_PER_MODE} random SIGKILLs + ${CRASHES_PER_MODE} crashes — acknowledged records survive, spool readable, abnormal and crashed sessions reported`, async () => {
      const dir = await tempDir(`kill-${mode}`);
      const runs: Run[] = [];
      // crash runs land at random places among the kills
      const crashAt = new Set<number>();
      while (crashAt.size < CRASHES_PER_MODE)
        crashAt.add(Math.floor(Math.random() * (KILLS_PER_MODE + CRASHES_PER_MODE)));
      for (let k = 0; k < KILLS_PER_MODE + CRASHES_PER_MODE; k++) {
        const previous = runs.at(-1);
        const run = crashAt.has(k)
          ? await crashOnce(dir, mode, 200 + Math.floor(Math.random() * 600))
          : await killOnce(dir, mode, 250 + Math.floor(Math.random() * 1000));
        runs.push(run);
        // The next start must report how the previous session ended: crashed or abnormal.
        if (previous?.sessionId && run.sessionId) {
          const field = previous.crashed ? 'crashed' : 'abnormal';
          expect(run.lastRun?.[field], JSON.stringify(run.lastRun)).toBe(true);
          expect(run.lastRun?.previousSession?.id).toBe(previous.sessionId);
        }
      }
      // A final clean run: starts (recovering the last killed session), writes, shuts down.
      const final = startNode([CHILD], {
        env: {
          REL_DIR: dir,
          REL_DURABILITY: mode,
          REL_ROUNDS: '1',
          REL_ROUND_SPANS: '5',
          REL_SPOOL_JSON: ROOMY_SPOOL,
        },
      });
      const ready = await final.waitForLine((l) => l.startsWith('ready '), 30_000);
      await final.waitForLine((l) => l.startsWith('done '), 30_000);
      expect((await final.exited).code).toBe(0);
      const lastRun = JSON.parse(ready.split(' ').slice(2).join(' ')) as Run['lastRun'];
      if (runs.at(-1)?.sessionId)
        expect(lastRun?.[runs.at(-1)?.crashed ? 'crashed' : 'abnormal']).toBe(true);

      const scan = await scanSpool(dir);
      // Nothing unreadable anywhere: every complete line parses; only a segment's tail is torn.
      expect(scan.malformed).toEqual([]);
      expect(existsSync(join(dir, 'quarantine'))).toBe(false);

      let acknowledged = 0;
      let missing = 0;
      for (const run of runs) {
        if (!run.sessionId || mode !== 'batch') continue;
        const spans = scan.spanIds.get(run.sessionId) ?? new Set<string>();
        const logs = scan.logIds.get(run.sessionId) ?? new Set<string>();
        for (let r = 1; r <= run.acked; r++) {
          for (let i = 0; i < ROUND_SPANS; i++) {
            acknowledged += 2;
            if (!spans.has(`${r}-${i}`)) missing++;
            if (!logs.has(`${r}-${i}`)) missing++;
          }
        }
      }
      if (mode === 'batch') {
        expect(missing).toBe(0);
        expect(acknowledged).toBeGreaterThan(0);
      }

      // Every killed session is in the ledger as abnormal, every crashed one as crashed with
      // its FATAL log record in the spool; the final one exited.
      const ledger = readSessionLedger(dir);
      const started = runs.filter((r) => r.sessionId && !r.crashed).map((r) => r.sessionId);
      for (const id of started) {
        expect(ledger.sessions.find((s) => s.id === id)?.state, id).toBe('abnormal');
      }
      const crashed = runs.filter((r) => r.sessionId && r.crashed).map((r) => r.sessionId!);
      for (const id of crashed) {
        expect(ledger.sessions.find((s) => s.id === id)?.state, id).toBe('crashed');
      }
      // Every crash's FATAL log record is in the spool. (With the default 256 MiB cap the
      // unthrottled modes outgrow it and evict the oldest segments, crash records included:
      // the cap working as designed, hence ROOMY_SPOOL.)
      const crashesWithoutFatalLog = crashed.filter((id) => !scan.fatalSessions.has(id)).length;
      expect(crashesWithoutFatalLog).toBe(0);
      expect(ledger.counts.running).toBe(0);
      recordFigure(`kill.${mode}`, {
        kills: runs.filter((r) => !r.crashed).length,
        killedAfterReady: started.length,
        crashes: crashed.length,
        crashesWithoutFatalLog,
        acknowledgedRecords: acknowledged,
        missingAcknowledged: missing,
        recordsRead: scan.records,
        segments: scan.segments,
        tornSegments: scan.tornSegments,
        malformed: scan.malformed.length,
        ledger: ledger.counts,
      });
    });
  }
});

describe('kill harness: spool sync SIGKILLed mid-upload', () => {
  it('nothing lost, duplicates after each kill ≤ one request', async () => {
    const dir = await tempDir('kill-sync');
    // A spool of ~12k spans + logs + metrics written by a clean host run.
    const host = startNode([CHILD], {
      env: { REL_DIR: dir, REL_DURABILITY: 'interval', REL_ROUNDS: '150', REL_ROUND_SPANS: '40' },
    });
    await host.waitForLine((l) => l.startsWith('done '), 120_000);
    expect((await host.exited).code).toBe(0);
    const scan = await scanSpool(dir);
    expect((await runSpool(['consent', 'grant', '--dir', dir])).code).toBe(0);

    const sink = new OtlpSink({ delayMs: 15 });
    const url = await sink.start();
    try {
      const syncArgs = [SPOOL_BIN, 'sync', '--dir', dir, '--endpoint', url, '--json'];
      syncArgs.push('--max-request-bytes', '40000');
      const kills = 6;
      const runs: { from: number; to: number; killed: boolean }[] = [];
      let code: number | null = null;
      for (let k = 0; k <= kills + 10 && code !== 0; k++) {
        const from = sink.requests.length;
        const sync = startNode(syncArgs);
        if (k < kills) {
          // a random moment once uploading has begun
          const start = sink.requests.length;
          for (let i = 0; i < 400 && sink.requests.length === start; i++) await sleep(10);
          await Promise.race([sleep(50 + Math.random() * 400), sync.exited]);
          sync.kill('SIGKILL');
        }
        const exit = await sync.exited;
        runs.push({ from, to: sink.requests.length, killed: exit.signal === 'SIGKILL' });
        if (exit.signal !== 'SIGKILL') {
          code = exit.code;
          expect(code, sync.stderr()).toBe(0);
        }
      }
      expect(code).toBe(0);
      expect(runs.filter((r) => r.killed).length).toBeGreaterThanOrEqual(kills - 1);

      // Nothing lost: every span of the spool was acknowledged; records counts match exactly.
      const spanKeys = new Set(scan.keys.traces);
      const missingSpans = [...spanKeys].filter((k) => !sink.acknowledged.has(k)).length;
      expect(missingSpans).toBe(0);
      const uniqueAcked = { traces: 0, metrics: 0, logs: 0 };
      for (const k of sink.acknowledged.keys()) {
        if (k.startsWith('span:')) uniqueAcked.traces++;
        else if (k.startsWith('log:')) uniqueAcked.logs++;
        else uniqueAcked.metrics++;
      }
      expect(uniqueAcked.traces).toBe(scan.records.traces);
      expect(uniqueAcked.logs).toBe(scan.records.logs);
      // metric points: equal unless two points of one series are byte-identical after redaction
      expect(uniqueAcked.metrics).toBeLessThanOrEqual(scan.records.metrics);
      expect(uniqueAcked.metrics).toBeGreaterThan(0);

      // Duplicates: records a run re-sent that an earlier run had delivered ≤ one request.
      const seen = new Set<string>();
      let duplicates = 0;
      const dupPerRun: number[] = [];
      for (let r = 0; r < runs.length; r++) {
        const run = runs[r]!;
        const previous = runs[r - 1];
        const reqs = sink.requests.slice(run.from, run.to);
        let dups = 0;
        for (const req of reqs) {
          for (const k of req.keys) if (seen.has(k)) dups++;
        }
        for (const req of reqs) for (const k of req.keys) seen.add(k);
        const largestPrevRequest = previous
          ? Math.max(
              0,
              ...sink.requests.slice(previous.from, previous.to).map((q) => q.keys.length),
            )
          : 0;
        expect(dups).toBeLessThanOrEqual(largestPrevRequest);
        dupPerRun.push(dups);
        duplicates += dups;
      }
      recordFigure('kill.sync', {
        spoolRecords: scan.records,
        syncRuns: runs.length,
        killed: runs.filter((r) => r.killed).length,
        requests: sink.requests.length,
        missingSpans,
        duplicatesPerRun: dupPerRun,
        duplicateRecords: duplicates,
      });
    } finally {
      await sink.close();
    }
  });
});
