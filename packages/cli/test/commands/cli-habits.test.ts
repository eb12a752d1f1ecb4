// clig.dev habits of the built `spool` (issue 12, item 6), each run as a user runs it: the
// built CLI in a child process, with a clean environment and a HOME of its own.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_REQUEST_BYTES as COLLECTOR_MAX_REQUEST_BYTES } from '@otelspool/collector';
import {
  DEFAULT_MAX_LINE_BYTES as READER_MAX_LINE_BYTES,
  SIGNALS,
} from '@otelspool/exporter-jsonl';
import {
  appendLines,
  logsLine,
  metricsLine,
  segmentName,
  T0,
  tracesLine,
  writeCrash,
} from '../analysis/report-fixture.js';
import { DEMO_SERVICE } from '../../src/demo/service.js';
import {
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_MAX_REQUEST_BYTES,
  EXIT_CODES,
  SIGNAL_NAMES,
} from '../../src/output/index.js';

const BIN = fileURLToPath(new URL('../../dist/bin/spool.js', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const ESC = '\u001b[';
const LONG_MESSAGE = `plugin ${'reverb-'.repeat(30)}failed to load its preset bank END`;
const HAS_SCRIPT = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

let home: string;
let dir: string;
let crashId: string;

/** The environment with nothing that changes colour, the spool location or the terminal. */
function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data') };
  for (const key of [
    'NO_COLOR',
    'FORCE_COLOR',
    'TERM',
    'SPOOL_DIR',
    'OTEL_SERVICE_NAME',
    'COLUMNS',
  ])
    delete env[key];
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs the built CLI with stdin, stdout and stderr as pipes (not a TTY). */
function spool(
  args: string[],
  options: { env?: Record<string, string | undefined>; input?: string } = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: cleanEnv(options.env),
    input: options.input ?? '',
    timeout: 60_000,
  });
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the built CLI on a pseudo-terminal of `cols` columns (util-linux `script`). */
function spoolOnTty(
  args: string[],
  options: { env?: Record<string, string | undefined>; input?: string; cols?: number } = {},
): SpawnSyncReturns<string> {
  const command = `stty cols ${options.cols ?? 80} rows 40; exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  return spawnSync('script', ['-qec', command, '/dev/null'], {
    encoding: 'utf8',
    env: cleanEnv({ TERM: 'xterm-256color', ...options.env }),
    input: options.input ?? '',
    timeout: 60_000,
  });
}

function writeSpool(target: string): void {
  appendLines(target, 'traces', segmentName(), [
    tracesLine('synth', [
      { name: 'process_block', startMs: T0, durationMs: 2.5 },
      { name: 'load_plugin', startMs: T0 + 1, durationMs: 120, error: true },
      { name: 'save_preset', startMs: T0 + 2, durationMs: 4 },
    ]),
  ]);
  appendLines(target, 'logs', segmentName(), [
    logsLine('synth', [
      { atMs: T0 + 5, severityNumber: 17, body: 'disk full' },
      { atMs: T0 + 6, eventName: 'preset.change' },
    ]),
  ]);
  appendLines(target, 'metrics', segmentName(), [
    metricsLine('synth', [
      {
        kind: 'gauge',
        name: 'process.memory.usage',
        points: [
          { atMs: T0 + 7, value: 1234 },
          { atMs: T0 + 8, value: 2345 },
        ],
      },
    ]),
  ]);
  const report = writeCrash(target, {
    id: 'aa11aa11aa11aa11',
    atMs: T0 + 9,
    signature: '1111222233334444',
    sessionId: 's1',
    installId: 'install-1',
    host: 'studio-1',
    version: '1.4.2',
    message: LONG_MESSAGE,
  });
  // Breadcrumbs with attributes (`data`), as the SDK records them for events.
  report.breadcrumbs = [
    ...report.breadcrumbs,
    {
      timestamp: new Date(T0 + 8).toISOString(),
      category: 'event',
      message: 'preset.change',
      data: { 'preset.name': 'Warm Pad', 'preset.index': 7, dirty: true },
    },
  ];
  const crashes = join(target, 'crashes');
  const file = readdirSync(crashes).find((f) => f.includes(report.id)) as string;
  writeFileSync(join(crashes, file), JSON.stringify(report, null, 2));
  crashId = report.signature.id;
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'spool-habits-'));
  dir = join(home, 'spool');
  writeSpool(dir);
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('colour: one decision for NO_COLOR, FORCE_COLOR, TERM=dumb and --no-color', () => {
  const colourOf = (
    env: Record<string, string | undefined>,
    extra: string[] = [],
  ): SpawnSyncReturns<string> =>
    spool(['tail', '--dir', dir, '--signal', 'logs', ...extra], { env });

  it('not a TTY: no colour; FORCE_COLOR=1..3 turns it on; FORCE_COLOR=0 keeps it off', () => {
    expect(colourOf({}).stdout).not.toContain(ESC);
    for (const level of ['1', '2', '3']) {
      const r = colourOf({ FORCE_COLOR: level });
      expect(r.status).toBe(0);
      expect(r.stdout, `FORCE_COLOR=${level}`).toContain(`${ESC}31mERROR`);
    }
    expect(colourOf({ FORCE_COLOR: '0' }).stdout).not.toContain(ESC);
  });

  it('NO_COLOR and --no-color win over FORCE_COLOR; --json never has colour', () => {
    expect(colourOf({ FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).not.toContain(ESC);
    expect(colourOf({ FORCE_COLOR: '1' }, ['--no-color']).stdout).not.toContain(ESC);
    const before = spool(['--no-color', 'crashes', '--dir', dir], { env: { FORCE_COLOR: '1' } });
    expect(before.status, before.stderr).toBe(0);
    expect(before.stdout).not.toContain(ESC);
    expect(colourOf({ FORCE_COLOR: '1' }, ['--json']).stdout).not.toContain(ESC);
  });

  it.skipIf(!HAS_SCRIPT)(
    'a TTY: colour, except with TERM=dumb, NO_COLOR, FORCE_COLOR=0 or --no-color',
    () => {
      const args = ['tail', '--dir', dir, '--signal', 'logs'];
      expect(spoolOnTty(args).stdout).toContain(`${ESC}31mERROR`);
      expect(spoolOnTty(args, { env: { TERM: 'dumb' } }).stdout).not.toContain(`${ESC}31m`);
      expect(spoolOnTty(args, { env: { NO_COLOR: '1' } }).stdout).not.toContain(`${ESC}31m`);
      expect(spoolOnTty(args, { env: { FORCE_COLOR: '0' } }).stdout).not.toContain(`${ESC}31m`);
      expect(spoolOnTty([...args, '--no-color']).stdout).not.toContain(`${ESC}31m`);
    },
  );
});

describe('width-aware tables', () => {
  it('not a TTY: nothing is cut, the whole message is there', () => {
    const r = spool(['crashes', '--dir', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(LONG_MESSAGE);
    expect(r.stdout).not.toContain('…');
  });

  it.skipIf(!HAS_SCRIPT)(
    'a TTY: rows fit the terminal, free text is cut with …, numbers never',
    () => {
      for (const cols of [80, 120]) {
        const r = spoolOnTty(['crashes', '--dir', dir, '--no-color'], { cols });
        expect(r.status, r.stdout).toBe(0);
        const rows = r.stdout
          .replace(/\r/g, '')
          .split('\n')
          .filter((l) => /[│┌└├]/.test(l));
        expect(rows.length).toBeGreaterThan(3);
        for (const row of rows) expect([...row].length, row).toBeLessThanOrEqual(cols);
        expect(r.stdout).toContain('…');
        expect(r.stdout).toContain('1111222233334444'); // the signature (an id) is never cut
        expect(r.stdout).toMatch(/│\s+1\s+│/); // count
      }
      const report = spoolOnTty(['report', '--dir', dir, '--no-color'], { cols: 80 });
      expect(report.status, report.stdout).toBe(0);
      for (const row of report.stdout
        .replace(/\r/g, '')
        .split('\n')
        .filter((l) => /[│┌└├]/.test(l)))
        expect([...row].length, row).toBeLessThanOrEqual(80);
    },
  );
});

describe('confirmation of destructive actions', () => {
  const purgeable = (): string => {
    const target = mkdtempSync(join(home, 'purge-'));
    writeSpool(target);
    return target;
  };

  it('consent revoke --purge without a TTY and without --yes refuses (exit 3), deletes nothing, does not wait', () => {
    const target = purgeable();
    const r = spool(['consent', 'revoke', '--purge', '--dir', target]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('--yes');
    expect(r.stderr).toContain('stdin is not a terminal');
    expect(readdirSync(join(target, 'traces'))).not.toHaveLength(0);
    expect(existsSync(join(target, 'crashes'))).toBe(true);
  });

  it('--yes / -y go ahead without asking', () => {
    for (const flag of ['--yes', '-y']) {
      const target = purgeable();
      const r = spool(['consent', 'revoke', '--purge', flag, '--dir', target, '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ purged: true, state: 'denied' });
      const left = existsSync(join(target, 'traces')) ? readdirSync(join(target, 'traces')) : [];
      expect(left).toHaveLength(0);
    }
  });

  it('revoke without --purge deletes nothing and needs no confirmation', () => {
    const target = purgeable();
    expect(spool(['consent', 'revoke', '--dir', target]).status).toBe(0);
    expect(readdirSync(join(target, 'traces'))).not.toHaveLength(0);
  });

  it('sync --delete-synced refuses without a TTY and without --yes', () => {
    const target = purgeable();
    const r = spool([
      'sync',
      '--dir',
      target,
      '--delete-synced',
      '--endpoint',
      'http://127.0.0.1:9',
    ]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('--yes');
  });

  it.skipIf(!HAS_SCRIPT)(
    'a TTY asks on stderr: "n" keeps the data (exit 3), "y" deletes it',
    () => {
      const target = purgeable();
      const no = spoolOnTty(['consent', 'revoke', '--purge', '--dir', target], { input: 'n\n' });
      expect(no.stdout).toContain('[y/N]');
      expect(no.status).toBe(3);
      expect(readdirSync(join(target, 'traces'))).not.toHaveLength(0);
      const yes = spoolOnTty(['consent', 'revoke', '--purge', '--dir', target], { input: 'y\n' });
      expect(yes.status, yes.stdout).toBe(0);
      expect(yes.stdout).toContain('deleted');
    },
  );
});

describe('exit codes: one per meaning, documented', () => {
  it('0 ok, 1 failure, 2 usage error, 3 not confirmed', () => {
    expect(spool(['report', '--dir', dir]).status).toBe(0);
    expect(spool(['check', '--dir', dir, '--max-crashes', '0']).status).toBe(1); // budget broken
    expect(spool(['report', '--dir', join(home, 'nope')]).status).toBe(1); // no spool there
    expect(spool(['crashes', 'show', 'deadbeef', '--dir', dir]).status).toBe(1); // unknown id
    expect(spool(['incident', 'deadbeef', '--dir', dir]).status).toBe(1);
    expect(spool(['report', '--dir', dir, '--bogus']).status).toBe(2);
    expect(spool(['bogus']).status).toBe(2);
    expect(spool(['tail', '--dir', dir, '--signal', 'spans']).status).toBe(2);
    expect(spool(['consent', 'revoke', '--purge', '--dir', purgeDir()]).status).toBe(3);
  });

  it('spool --help lists every exit code; packages/cli/README.md documents the same table', () => {
    const help = spool(['--help']).stdout;
    expect(help).toContain('Exit codes:');
    const readme = readFileSync(README, 'utf8');
    for (const { code } of EXIT_CODES) {
      expect(help).toMatch(new RegExp(`^  ${code}\\s+\\S`, 'm'));
      expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
    }
  });

  const purgeDir = (): string => {
    const target = mkdtempSync(join(home, 'codes-'));
    writeSpool(target);
    return target;
  };
});

/** Every command path (`report`, `consent grant`, …), read from the built CLI's own help. */
function commandPaths(): string[][] {
  const commandsIn = (help: string): string[] => {
    const section = help.split(/^Commands:$/m)[1] ?? '';
    return section
      .split('\n')
      .map((l) => /^ {2}([a-z][\w-]*)/.exec(l)?.[1])
      .filter((name): name is string => name !== undefined && name !== 'help');
  };
  const paths: string[][] = [];
  for (const name of commandsIn(spool(['--help']).stdout)) {
    const subs = commandsIn(spool([name, '--help']).stdout);
    paths.push([name]);
    for (const sub of subs) paths.push([name, sub]);
  }
  return paths;
}

describe('schemaVersion in every --json output', () => {
  /** First JSON document a long-running command (serve, dashboard) prints; then SIGTERM. */
  const firstJson = (args: string[]): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no JSON from ${args.join(' ')}: ${out}`));
      }, 30_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        try {
          const value = JSON.parse(out) as Record<string, unknown>;
          clearTimeout(timer);
          child.once('exit', () => resolve(value));
          child.kill('SIGTERM');
        } catch {
          // not complete yet
        }
      });
    });

  it('every command that takes --json prints an object with "schemaVersion": 1', async () => {
    const jsonDir = mkdtempSync(join(home, 'json-'));
    writeSpool(jsonDir);
    const importFile = join(home, 'collector-out.json');
    writeFileSync(
      importFile,
      readFileSync(join(jsonDir, 'traces', readdirSync(join(jsonDir, 'traces'))[0] as string)),
    );
    const d = ['--dir', jsonDir];
    const oneShot: Record<string, string[]> = {
      report: ['report', ...d],
      crashes: ['crashes', ...d],
      'crashes show': ['crashes', 'show', crashId, ...d],
      check: ['check', '--max-crashes', '5', ...d],
      slo: ['slo', '--availability', '99', ...d],
      incident: ['incident', crashId, ...d],
      'consent grant': ['consent', 'grant', ...d],
      'consent status': ['consent', 'status', ...d],
      sync: ['sync', '--dry-run', '--out', join(home, 'dry.jsonl'), ...d],
      import: ['import', importFile, '--dir', join(home, 'imported')],
      demo: ['demo', '--duration', '0.3', '--dir', join(home, 'demo')],
      index: ['index', ...d],
      sql: ['sql', 'SELECT count(*) AS n FROM spans', ...d],
      'consent revoke': ['consent', 'revoke', '--purge', '--yes', ...d],
    };
    const seen = new Set<string>();
    for (const [name, args] of Object.entries(oneShot)) {
      const r = spool([...args, '--json']);
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      const value = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(value.schemaVersion, name).toBe(1);
      expect(Object.keys(value)[0], name).toBe('schemaVersion');
      seen.add(name);
    }
    const letters = spool(['sync', '--dead-letters', '--json', '--dir', dir]);
    expect(JSON.parse(letters.stdout)).toMatchObject({ schemaVersion: 1, deadLetters: [] });

    // NDJSON: every line (one per spool line, i.e. OTLP request) carries it.
    const tail = spool(['tail', '--json', '--dir', dir]);
    const lines = tail.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3); // one traces, one metrics, one logs line in the spool
    for (const line of lines) expect(JSON.parse(line).schemaVersion).toBe(1);
    seen.add('tail');
    const logs = spool(['logs', '--json', '--dir', dir]);
    const logLines = logs.stdout.trimEnd().split('\n');
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(JSON.parse(line).schemaVersion).toBe(1);
    seen.add('logs');

    for (const name of ['serve', 'dashboard']) {
      const value = await firstJson([name, '--port', '0', '--dir', dir, '--json']);
      expect(value.schemaVersion, name).toBe(1);
      seen.add(name);
    }

    // Nothing that takes --json was left out of this test.
    const withJson = commandPaths()
      .filter((path) => spool([...path, '--help']).stdout.includes('--json'))
      .map((path) => path.join(' '));
    expect(withJson.length).toBeGreaterThan(10);
    expect([...seen].sort()).toEqual([...withJson].sort());
  }, 120_000);
});

describe('export --out -', () => {
  it('chrome-trace to stdout is one JSON document; messages stay on stderr', () => {
    const r = spool(['export', '--format', 'chrome-trace', '--out', '-', '--dir', dir]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { traceEvents: Array<{ name?: string }> };
    expect(doc.traceEvents.map((e) => e.name)).toContain('load_plugin');
    expect(r.stderr).toContain('wrote 3 spans to stdout');
  });

  it('otlp-json to stdout is one OTLP request per line (one per signal)', () => {
    const r = spool(['export', '--format', 'otlp-json', '--out', '-', '--dir', dir]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => Object.keys(l)[0])).toEqual([
      'resourceSpans',
      'resourceMetrics',
      'resourceLogs',
    ]);
  });

  it('--out FILE still writes files', () => {
    const base = join(home, 'export-out.json');
    const r = spool(['export', '--format', 'otlp-json', '--out', base, '--dir', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(join(home, 'export-out-traces.json'), 'utf8'))).toHaveProperty(
      'resourceSpans',
    );
    const trace = join(home, 'trace.json');
    expect(spool(['export', '--format', 'chrome-trace', '--out', trace, '--dir', dir]).status).toBe(
      0,
    );
    expect(JSON.parse(readFileSync(trace, 'utf8'))).toHaveProperty('traceEvents');
  });
});

describe('tail: one line per record', () => {
  it('prints a line per span, log record and data point, not per OTLP line', () => {
    const r = spool(['tail', '--dir', dir]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines.filter((l) => / traces /.test(l))).toHaveLength(3);
    expect(lines.filter((l) => / metrics /.test(l))).toHaveLength(2);
    expect(lines.filter((l) => / logs /.test(l))).toHaveLength(2);
    expect(r.stdout).toContain('load_plugin 120 ms ERROR');
    expect(r.stdout).toContain('process.memory.usage=2345');
    expect(r.stdout).not.toMatch(/\+\d+ more/);
  });

  it('--json lines are OTLP requests (with schemaVersion) that spool import reads back', () => {
    const r = spool(['tail', '--json', '--dir', dir]);
    const file = join(home, 'tail.jsonl');
    writeFileSync(file, r.stdout);
    const imported = spool(['import', file, '--dir', join(home, 'from-tail'), '--json']);
    expect(imported.status, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout).total.records).toEqual({ traces: 3, metrics: 2, logs: 2 });
  });
});

describe('breadcrumb attributes', () => {
  it('crashes show prints each breadcrumb with its attributes', () => {
    const r = spool(['crashes', 'show', crashId, '--dir', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('[event] preset.change');
    expect(r.stdout).toContain('preset.name="Warm Pad"');
    expect(r.stdout).toContain('preset.index=7');
    expect(r.stdout).toContain('dirty=true');
    expect(r.stdout).toContain('[preset] WARNING opening Warm Pads');
  });

  it('the dashboard crash view gets them too', async () => {
    const shape = await import('../../web-assets/crash-shape.js');
    const report = JSON.parse(spool(['crashes', 'show', crashId, '--dir', dir, '--json']).stdout);
    const view = shape.crashReportView(report);
    expect(view.breadcrumbs.at(-1)?.data).toEqual([
      { key: 'preset.name', value: 'Warm Pad' },
      { key: 'preset.index', value: '7' },
      { key: 'dirty', value: 'true' },
    ]);
  });
});

describe('--help', () => {
  it('every command shows at least one example', () => {
    const paths = commandPaths();
    expect(paths.length).toBeGreaterThan(15);
    for (const path of [[], ...paths]) {
      const help = spool([...path, '--help']).stdout;
      expect(help, `spool ${path.join(' ')} --help`).toContain('\nExamples:\n');
      expect(help, `spool ${path.join(' ')} --help`).toMatch(
        new RegExp(`^  \\$ spool ${path[0] ?? ''}`, 'm'),
      );
    }
  });
});

describe('lazy commands', () => {
  const loadedBy = (args: string[]): string[] => {
    const hook = join(home, 'trace-loads.mjs');
    writeFileSync(
      hook,
      "import { registerHooks } from 'node:module';\n" +
        "registerHooks({ load(url, context, next) { process.stderr.write('LOAD ' + url + '\\n'); return next(url, context); } });\n",
    );
    const bin = fileURLToPath(new URL('../../bin/spool.js', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', hook, bin, ...args], {
      encoding: 'utf8',
      env: cleanEnv(),
    });
    expect(r.status, r.stderr).toBe(0);
    return r.stderr
      .split('\n')
      .filter((l) => l.startsWith('LOAD '))
      .map((l) => l.slice(5));
  };

  const HEAVY =
    /\/dist\/(commands|analysis|web|demo)\/|@otelspool|\/packages\/(sdk|collector|crash|exporter-jsonl)\/|cli-table3|cli-progress|yaml/;

  it('--version loads the bin and the version only; it prints the package version', () => {
    const loaded = loadedBy(['--version']).filter((u) => u.startsWith('file:'));
    expect(loaded.map((u) => u.replace(/^.*\/packages\/cli\//, ''))).toEqual([
      'bin/spool.js',
      'dist/bin/spool.js',
      'dist/version.js',
    ]);
    const pkg = JSON.parse(readFileSync(join(README, '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(spool(['--version']).stdout).toBe(`${pkg.version}\n`);
    expect(spool(['-V']).stdout).toBe(`${pkg.version}\n`);
  });

  it('--help loads commander and the program, not the commands or the packages', () => {
    for (const args of [['--help'], ['report', '--help'], ['consent', 'revoke', '--help']]) {
      const loaded = loadedBy(args);
      expect(loaded.some((u) => u.includes('/commander/'))).toBe(true);
      expect(
        loaded.filter((u) => HEAVY.test(u)),
        args.join(' '),
      ).toEqual([]);
    }
  });

  it('the values copied into the option definitions match their packages', () => {
    expect([...SIGNAL_NAMES]).toEqual([...SIGNALS]);
    expect(DEFAULT_MAX_REQUEST_BYTES).toBe(COLLECTOR_MAX_REQUEST_BYTES);
    expect(DEFAULT_MAX_LINE_BYTES).toBe(READER_MAX_LINE_BYTES);
    expect(spool(['demo', '--help']).stdout).toContain(DEMO_SERVICE);
  });
});
