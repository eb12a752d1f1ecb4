// Issue 11, items 1, 2 and 9: another local user on the machine. A real second user (useradd)
// pre-creates a shared 0777 spool dir with symlinks into the victim's files and a planted
// consent; the victim (root here) then runs the built SDK and CLI on it. Also state files that
// are FIFOs, /dev/zero or 1.5 GB, and consent files that are not understood.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFigure } from './helpers/figures.js';
import { REPO_ROOT, SPOOL_BIN, startNode, stopAll } from './helpers/processes.js';
import { secondUser, type SecondUser } from './helpers/second-user.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

const SDK_DIST = pathToFileURL(join(REPO_ROOT, 'packages/sdk/dist/index.js')).href;
const posix = process.platform !== 'win32';
const user = posix ? secondUser() : { skip: 'POSIX only' };
const userSkip = 'skip' in user ? user.skip : undefined;
if (userSkip) console.warn(`[hostile-local-user] second-user tests skipped: ${userSkip}`);
const intruder = user as SecondUser;

let work = '';
let childScript = '';
let rssPreload = '';
let server: Server;
let port = 0;
let requests = 0;

/** A host app: startTelemetry on REL_DIR, one span and one log, stats, shutdown. */
const CHILD = `
import { startTelemetry } from ${JSON.stringify(SDK_DIST)};
const warnings = [];
process.on('warning', (w) => warnings.push(String(w.code ?? '') + ' ' + w.message));
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const tel = await startTelemetry({ dir: process.env.REL_DIR, serviceName: 'hostile', metricIntervalMs: 600000, processMetrics: false });
const startMs = performance.now() - t0;
const rssGrowth = process.memoryUsage().rss - rss0;
tel.tracer.startSpan('work').end();
tel.log.info('hello');
await tel.forceFlush();
await new Promise((r) => setTimeout(r, 200));
await tel.forceFlush();
const result = { startMs, rssGrowth, maxRss: process.resourceUsage().maxRSS * 1024, stats: tel.stats(), warnings, enabled: tel.enabled };
await tel.shutdown();
console.log('result ' + JSON.stringify(result));
console.log('alive');
`;

interface ChildResult {
  startMs: number;
  rssGrowth: number;
  maxRss: number;
  stats: { written: { records: number }; dropped: Record<string, number> };
  warnings: string[];
  enabled: boolean;
}

async function runHost(
  dir: string,
): Promise<{ result: ChildResult; code: number | null; stderr: string; alive: boolean }> {
  const child = startNode([childScript], { env: { REL_DIR: dir } });
  const exit = await child.exited;
  await new Promise((r) => setTimeout(r, 20));
  const line = child.lines.find((l) => l.startsWith('result '));
  if (!line)
    throw new Error(`host printed no result (exit ${exit.code}); stderr: ${child.stderr()}`);
  return {
    result: JSON.parse(line.slice('result '.length)) as ChildResult,
    code: exit.code,
    stderr: child.stderr(),
    alive: child.lines.includes('alive'),
  };
}

/** The built CLI with a max-RSS probe; bounded in time (a hang is a failure, not a stall). */
async function spool(
  args: string[],
  timeoutMs = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number; maxRss: number }> {
  const t0 = Date.now();
  const child = startNode(['--import', rssPreload, SPOOL_BIN, ...args]);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await child.exited;
  clearTimeout(timer);
  await new Promise((r) => setTimeout(r, 20));
  const ms = Date.now() - t0;
  const stderr = child.stderr();
  const m = /maxrss (\d+)/.exec(stderr);
  return {
    code: exit.signal ? -1 : exit.code,
    stdout: child.lines.join('\n'),
    stderr,
    ms,
    maxRss: m ? Number(m[1]) * 1024 : Number.NaN,
  };
}

/** Every entry under `dir` (links not followed) with its owner. */
function walk(dir: string): { path: string; uid: number }[] {
  const out: { path: string; uid: number }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    out.push({ path, uid: st.uid });
    if (st.isDirectory()) out.push(...walk(path));
  }
  return out;
}

const SALT = 'ab'.repeat(32);
const grantedBy = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ version: 1, state: 'granted', signals: 'all', salt: SALT, ...extra });

beforeAll(async () => {
  work = await tempDir('hostile-user', tmpdir());
  childScript = join(work, 'host.mjs');
  writeFileSync(childScript, CHILD);
  rssPreload = pathToFileURL(join(work, 'rss.mjs')).href;
  writeFileSync(
    join(work, 'rss.mjs'),
    `import { writeSync } from 'node:fs';\nprocess.on('exit', () => writeSync(2, '\\nmaxrss ' + process.resourceUsage().maxRSS + '\\n'));\n`,
  );
  server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await stopAll();
  await new Promise<void>((r) => server.close(() => r()));
  await removeTempDirs();
});

describe.skipIf(userSkip !== undefined)('a spool dir pre-created by another local user', () => {
  let base = '';
  let shared = '';
  let victimDir = '';
  let victimDir2 = '';
  let victimFile = '';
  const victimText = 'the victim file: not a ledger\n';

  beforeAll(async () => {
    // A /tmp-like base every user may create entries in (sticky, 1777), as /tmp itself.
    base = await tempDir('hostile-shared', tmpdir());
    chmodSync(base, 0o1777);
    const victims = await tempDir('hostile-victim', tmpdir()); // root's own, 0700
    victimDir = join(victims, 'victim-dir');
    victimDir2 = join(victims, 'victim-dir2');
    victimFile = join(victims, 'victim-file');
    mkdirSync(victimDir);
    mkdirSync(victimDir2);
    writeFileSync(victimFile, victimText, { mode: 0o600 });
    shared = join(base, 'shared-spool');
    intruder.sh(
      [
        'set -e',
        'umask 000',
        'S="$BASE/shared-spool"',
        'mkdir -m 0777 "$S" "$S/session" "$S/logs"',
        'ln -s "$VDIR" "$S/traces"',
        'ln -s "$VFILE" "$S/session/ledger.jsonl"',
        'ln -s "$VDIR2" "$S/quarantine"',
        `printf '%s' "$CONSENT" > "$S/consent.json"`,
        // a bad line, so that `spool report` has something to quarantine
        `printf 'not json at all\\n' > "$S/logs/20260101T000000000Z_2147483646_abcd_000001.jsonl"`,
      ].join('\n'),
      { BASE: base, VDIR: victimDir, VDIR2: victimDir2, VFILE: victimFile, CONSENT: grantedBy() },
    );
    expect(lstatSync(shared).uid).toBe(intruder.uid);
  });

  const untouched = (): void => {
    expect(readdirSync(victimDir)).toEqual([]);
    expect(readdirSync(victimDir2)).toEqual([]);
    expect(readFileSync(victimFile, 'utf8')).toBe(victimText);
    // nothing of the victim's (uid 0) was created anywhere in the intruder's tree
    expect(walk(shared).filter((e) => e.uid === process.getuid?.())).toEqual([]);
  };

  it('startTelemetry refuses it with one clear warning, counts the drops and the host lives on', async () => {
    const { result, code, stderr, alive } = await runHost(shared);
    expect(code).toBe(0);
    expect(alive).toBe(true);
    untouched();
    const unsafe = result.warnings.filter((w) => w.startsWith('OTELSPOOL_UNSAFE_DIR'));
    expect(unsafe).toHaveLength(1);
    expect(unsafe[0]).toContain(shared);
    expect(unsafe[0]).toMatch(new RegExp(`owned by uid ${intruder.uid}`));
    expect(stderr).toContain(`refusing to use ${shared}`);
    expect(result.stats.dropped.unsafe_dir ?? 0).toBeGreaterThanOrEqual(2); // the span and the log
    expect(result.stats.written.records).toBe(0);
    recordFigure('hostile.shared-spool.start', {
      writtenThroughLinks: readdirSync(victimDir).length + readdirSync(victimDir2).length,
      victimFileChanged: readFileSync(victimFile, 'utf8') !== victimText,
      droppedUnsafeDir: result.stats.dropped.unsafe_dir ?? 0,
      warnings: unsafe.length,
    });
  });

  it('spool report writes no quarantine file through the planted link', async () => {
    const r = await spool(['report', '--dir', shared, '--json']);
    expect(r.code === 0 || r.code === 1).toBe(true);
    untouched();
  });

  it('spool consent status says the planted consent file was refused, and why', async () => {
    const r = await spool(['consent', 'status', '--dir', shared, '--json']);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout) as { state: string; problem?: string };
    expect(status.state).toBe('unknown');
    expect(status.problem).toMatch(/consent file refused: .*consent\.json is owned by uid/);
    untouched();
  });

  it('spool sync neither trusts the planted consent nor writes into the dir', async () => {
    const before = requests;
    const dry = await spool([
      'sync',
      '--dir',
      shared,
      '--dry-run',
      '--out',
      join(work, 'dry.jsonl'),
      '--json',
    ]);
    expect(dry.code === 0 || dry.code === 1).toBe(true);
    const real = await spool([
      'sync',
      '--dir',
      shared,
      '--endpoint',
      `http://127.0.0.1:${port}`,
      '--json',
    ]);
    expect(real.code).toBe(1);
    expect(requests).toBe(before); // nothing was uploaded
    const summary = JSON.parse(real.stdout) as { consent: string; status: string };
    expect(summary.consent).not.toBe('granted');
    untouched();
    recordFigure('hostile.shared-spool.sync', {
      requestsSent: requests - before,
      consentRead: summary.consent,
    });
  });
});

describe.skipIf(!posix)('state files that are FIFOs, devices or huge', () => {
  it('consent.json -> /dev/zero or a FIFO: consent status and sync return at once, bounded', async () => {
    const dir = await tempDir('hostile-consent', tmpdir());
    const consent = join(dir, 'consent.json');
    const figures: Record<string, unknown> = {};
    for (const kind of ['dev-zero', 'fifo'] as const) {
      rmSync(consent, { force: true });
      if (kind === 'dev-zero') symlinkSync('/dev/zero', consent);
      else execFileSync('mkfifo', ['-m', '0600', consent]);
      const before = requests;
      const status = await spool(['consent', 'status', '--dir', dir, '--json']);
      expect(status.code).toBe(0);
      const parsed = JSON.parse(status.stdout) as { state: string; problem?: string };
      expect(parsed.state).toBe('unknown');
      expect(parsed.problem).toMatch(kind === 'fifo' ? /not a regular file/ : /is a symbolic link/);
      const sync = await spool(['sync', '--dir', dir, '--endpoint', `http://127.0.0.1:${port}`]);
      expect(sync.code).toBe(1);
      expect(requests).toBe(before);
      for (const r of [status, sync]) {
        expect(r.ms).toBeLessThan(15_000);
        expect(r.maxRss).toBeLessThan(300 * 1024 * 1024);
      }
      figures[kind] = {
        statusMs: status.ms,
        statusMaxRssMB: Math.round(status.maxRss / 2 ** 20),
        syncMs: sync.ms,
        syncMaxRssMB: Math.round(sync.maxRss / 2 ** 20),
      };
    }
    recordFigure('hostile.consent-special-files', figures);
  });

  it('a 1.5 GB (sparse) session ledger: startTelemetry reads only its tail', async () => {
    const dir = await tempDir('hostile-ledger', tmpdir());
    mkdirSync(join(dir, 'session'), { mode: 0o700 });
    const ledger = join(dir, 'session', 'ledger.jsonl');
    const fd = openSync(ledger, 'w', 0o600);
    ftruncateSync(fd, 1.5 * 2 ** 30); // a hole: 1.5 GB of NULs, no newline
    // A valid tail: a session of a process that is gone, which recovery must close.
    const dead = {
      v: 1,
      event: 'start',
      id: 'dead-session-in-the-tail',
      installId: 'i-1',
      pid: 2 ** 22 - 7,
      startedAt: '2026-11-30T10:00:00.000Z',
      serviceName: 'hostile',
      hostName: hostname(),
      os: { type: 'Linux', version: '6' },
    };
    writeSync(fd, '\n' + JSON.stringify(dead) + '\n', 1.5 * 2 ** 30);
    closeSync(fd);
    const { result, code, alive } = await runHost(dir);
    expect(code).toBe(0);
    expect(alive).toBe(true);
    expect(result.startMs).toBeLessThan(3_000);
    expect(result.rssGrowth).toBeLessThan(200 * 1024 * 1024);
    // The tail was read: recovery closed the dead session it names.
    const tail = Buffer.alloc(4096);
    const rfd = openSync(ledger, 'r');
    const size = lstatSync(ledger).size;
    const n = readSync(rfd, tail, 0, 4096, Math.max(0, size - 4096));
    closeSync(rfd);
    expect(tail.subarray(0, n).toString('utf8')).toMatch(
      /"event":"end","id":"dead-session-in-the-tail","state":"abnormal"/,
    );
    expect(result.stats.written.records).toBeGreaterThan(0);
    recordFigure('hostile.ledger-1.5GB', {
      startMs: Math.round(result.startMs),
      rssGrowthMB: Math.round(result.rssGrowth / 2 ** 20),
    });
  });
});

describe.skipIf(!posix)('consent files that are not understood fail closed', () => {
  it('"signals": "everything" or "version": 99 upload nothing and say why', async () => {
    for (const text of [grantedBy({ signals: 'everything' }), grantedBy({ version: 99 })]) {
      const dir = await tempDir('hostile-consent-format', tmpdir());
      writeFileSync(join(dir, 'consent.json'), text, { mode: 0o600 });
      mkdirSync(join(dir, 'logs'), { mode: 0o700 });
      writeFileSync(
        join(dir, 'logs', '20260101T000000000Z_2147483646_abcd_000001.jsonl'),
        JSON.stringify({
          resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' } }] }] }],
        }) + '\n',
        { mode: 0o600 },
      );
      const before = requests;
      const sync = await spool(['sync', '--dir', dir, '--endpoint', `http://127.0.0.1:${port}`]);
      expect(sync.code).toBe(1);
      expect(requests).toBe(before);
      const status = await spool(['consent', 'status', '--dir', dir, '--json']);
      const parsed = JSON.parse(status.stdout) as { state: string; problem?: string };
      expect(parsed.state).toBe('unknown');
      expect(parsed.problem).toMatch(/consent file not understood/);
      expect(existsSync(join(dir, 'consent.json'))).toBe(true);
      expect(readFileSync(join(dir, 'consent.json'), 'utf8')).toBe(text); // left as it was
    }
  });
});
