// Issue 11, item 3: readers chase unbounded files. Real files and the built CLI: a sparse
// 100 GB segment with no newline (as `truncate -s 100G` makes it), a child process that appends
// to a segment forever (always staying ahead of what the reader has read), and segment names
// that are symlinks to someone else's file. One-shot commands must end on their own, having read
// what was there when they started, and quarantine the endless line once.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { recordFigure } from './helpers/figures.js';
import { REPO_ROOT, SPOOL_BIN, sleep } from './helpers/processes.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

const SEGMENT = '20261124T093000000Z_4242_abcd_000001.jsonl';
const LINE =
  '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"00000000000000010000000000000001",' +
  '"spanId":"0000000000000001","name":"span-x","startTimeUnixNano":"1700000000000000000"}]}]}]}\n';
const LINE_BYTES = Buffer.byteLength(LINE);
/** Longest a one-shot command may take here on top of the CLI's own start-up. Generous. */
const BOUND_MS = 20_000;
/** Where a run is killed and counted as hung (the old reader took minutes). */
const KILL_MS = 120_000;

const children = new Set<ChildProcess>();

afterEach(() => {
  for (const child of children) killChild(child);
  children.clear();
});
afterAll(async () => {
  await removeTempDirs();
});

function killChild(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    try {
      process.kill(child.pid, 'SIGKILL'); // by pid, never by name
    } catch {
      // already gone
    }
  }
}

interface Run {
  code: number | null;
  ms: number;
  timedOut: boolean;
  /** stdout lines printed. */
  lines: number;
  /** The first 64 KB of stdout (report's summary). */
  head: string;
  stderr: string;
}

/** Runs the built CLI; kills it (by pid) after `killMs`. `onStart` gets its pid. */
async function runCli(args: string[], onStart?: (pid: number) => void): Promise<Run> {
  const started = performance.now();
  const child = spawn(process.execPath, [SPOOL_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  if (child.pid !== undefined) onStart?.(child.pid);
  let lines = 0;
  let head = '';
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-10_000);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines++;
    if (head.length < 65_536) head += line + '\n';
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killChild(child);
  }, KILL_MS);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  const ms = Math.round(performance.now() - started);
  await sleep(20); // readline may deliver the last lines after 'exit'
  children.delete(child);
  return { code, ms, timedOut, lines, head, stderr };
}

/**
 * Appends valid lines to `file` forever. Once told a reader's pid (a line on stdin), it keeps
 * the file 8 MiB ahead of everything that process has read (/proc/<pid>/io rchar), so a reader
 * that reads to the current end never gets there, however fast or slow this machine is. Without
 * /proc it appends at a fixed rate. Stops growing at 1 GiB, exits after 3 minutes or when its
 * stdin closes (the test is gone).
 */
const APPENDER = `
const fs = require('node:fs');
const file = process.argv[1];
const chunk = Buffer.from(${JSON.stringify(LINE)}.repeat(Math.ceil(262144 / ${LINE_BYTES})));
const fd = fs.openSync(file, 'a');
const CAP = 1024 * 1024 * 1024, AHEAD = 8 * 1024 * 1024;
let pid = 0, seen = false, written = 0;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { const n = Number(String(d).trim().split('\\n').pop()); if (n > 0) { pid = n; seen = false; } });
process.stdin.on('end', () => process.exit(0));
setTimeout(() => process.exit(0), 180000).unref();
function rchar() {
  if (!pid) return -1;
  try {
    const m = /rchar:\\s*(\\d+)/.exec(fs.readFileSync('/proc/' + pid + '/io', 'utf8'));
    seen = true;
    return m ? Number(m[1]) : -1;
  } catch { return seen ? -2 : -1; } // -2: the reader has exited
}
function append() { if (written < CAP) { fs.writeSync(fd, chunk); written += chunk.length; } }
let ticks = 0;
(function tick() {
  const read = rchar();
  if (read >= 0) { while (written < CAP && fs.fstatSync(fd).size < read + AHEAD) append(); }
  else if (read === -1 && process.platform !== 'linux') append(); // no /proc: ~25 MB/s
  else if (ticks % 10 === 0) append(); // between readers: keep growing, slowly
  if (ticks++ === 0) process.stdout.write('appending\\n');
  setTimeout(tick, 10);
})();
`;

describe('readers and files that never end (issue 11 item 3)', () => {
  it('a sparse 100 GB segment with no newline: tail and report end quickly, twice, one quarantine entry', async () => {
    const root = await tempDir('sparse');
    const spool = join(root, 'spool');
    mkdirSync(join(spool, 'traces'), { recursive: true });
    const segment = join(spool, 'traces', SEGMENT);
    writeFileSync(segment, LINE);
    const size = 100 * 1024 ** 3;
    truncateSync(segment, size); // = `truncate -s 100G`: a hole, no newline, no disk used
    const baseline = await runCli(['tail', '--dir', join(root, 'empty'), '--allow-empty']); // start-up cost
    const qdir = join(spool, 'quarantine', 'traces');
    const runs: Record<string, number> = {};
    let firstEntryMtime = 0;
    for (const run of [1, 2]) {
      for (const cmd of ['tail', 'report']) {
        const r = await runCli([cmd, '--dir', spool]);
        runs[`${cmd}${run}Ms`] = r.ms;
        expect(r.timedOut, `${cmd} run ${run} hung: ${r.stderr}`).toBe(false);
        expect(r.code, r.stderr).toBe(0);
        expect(r.ms).toBeLessThan(baseline.ms + BOUND_MS);
        if (cmd === 'tail')
          expect(r.lines).toBe(1); // the one real record
        else expect(r.head).toMatch(/1 spans .*1 malformed lines skipped/);
        const names = readdirSync(qdir);
        expect(names).toEqual([`${SEGMENT}.L2.json`]); // quarantined once, never twice
        const mtime = statSync(join(qdir, names[0]!)).mtimeMs;
        if (firstEntryMtime === 0) firstEntryMtime = mtime;
        expect(mtime).toBe(firstEntryMtime); // not rewritten by later runs
      }
    }
    const entry = JSON.parse(readFileSync(join(qdir, `${SEGMENT}.L2.json`), 'utf8')) as {
      bytes: number;
      position: number;
      reason: string;
    };
    expect(entry.bytes).toBe(size - LINE_BYTES);
    expect(entry.position).toBe(size);
    expect(entry.reason).toMatch(/no newline in its first \d+ bytes: the rest of the segment/);
    recordFigure('readers.sparse100G', { baselineMs: baseline.ms, ...runs, entry: entry.reason });
  });

  it('a child appending to a segment forever: report and tail (no --follow) exit on their own', async () => {
    const root = await tempDir('append');
    const spool = join(root, 'spool');
    mkdirSync(join(spool, 'traces'), { recursive: true });
    const segment = join(spool, 'traces', SEGMENT);
    const initialLines = 5000;
    writeFileSync(segment, LINE.repeat(initialLines));
    const appender = spawn(process.execPath, ['-e', APPENDER, segment], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.add(appender);
    await new Promise<void>((resolve, reject) => {
      appender.stdout.once('data', () => resolve());
      appender.once('exit', (code) => reject(new Error(`appender exited (${code})`)));
    });
    const figures: Record<string, unknown> = {};
    for (const cmd of ['tail', 'report']) {
      const before = statSync(segment).size;
      const r = await runCli([cmd, '--dir', spool], (pid) => appender.stdin.write(`${pid}\n`));
      const after = statSync(segment).size;
      expect(r.timedOut, `${cmd} chased the appender for ${KILL_MS} ms: ${r.stderr}`).toBe(false);
      expect(r.code, r.stderr).toBe(0);
      expect(after).toBeGreaterThan(before); // the writer really was appending meanwhile
      const read =
        cmd === 'tail'
          ? r.lines
          : Number((/([\d,]+) spans ·/.exec(r.head)?.[1] ?? '-1').replaceAll(',', ''));
      // everything there at the start, nothing near the end the writer reached
      expect(read).toBeGreaterThanOrEqual(Math.floor(before / LINE_BYTES));
      expect(read).toBeLessThan(Math.floor(after / LINE_BYTES));
      figures[cmd] = {
        ms: r.ms,
        recordsRead: read,
        linesAtStart: before / LINE_BYTES,
        linesAtEnd: Math.floor(after / LINE_BYTES),
      };
    }
    appender.stdin.end();
    killChild(appender);
    recordFigure('readers.appendForever', figures);
  });

  it('segment names that are symlinks to another file are not read, nor copied to quarantine', async () => {
    const root = await tempDir('symlink');
    const spool = join(root, 'spool');
    mkdirSync(join(spool, 'traces'), { recursive: true });
    const victim = join(root, 'victim.jsonl');
    writeFileSync(victim, `${LINE}password=hunter2\n`);
    symlinkSync(victim, join(spool, 'traces', SEGMENT));
    appendFileSync(join(spool, 'traces', SEGMENT.replace('000001', '000002')), LINE);
    for (const cmd of ['tail', 'report']) {
      const r = await runCli([cmd, '--dir', spool]);
      expect(r.code, r.stderr).toBe(0);
      if (cmd === 'tail')
        expect(r.lines).toBe(1); // the real segment only
      else {
        expect(r.head).toMatch(/1 spans ·/);
        expect(r.head).not.toMatch(/malformed/);
      }
    }
    let quarantined: string[] = [];
    try {
      quarantined = readdirSync(join(spool, 'quarantine', 'traces'));
    } catch {
      // no quarantine dir at all: nothing copied
    }
    expect(quarantined).toEqual([]);
  });
});
