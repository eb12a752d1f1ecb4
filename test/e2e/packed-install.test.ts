import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue 12, "the installed product works": every package is packed with `npm pack` (the
// built dist/ must exist: npm test builds first), the tarballs are installed into an empty
// project outside the repository, and there a new user's first steps must work: the README's
// "Instrument your code" example, `npx spool demo`, `npx spool report` and `npx spool crashes`.
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['exporter-jsonl', 'crash', 'sdk', 'collector', 'cli'];
const INSTALL_TIMEOUT = 300_000;

let work: string;
let project: string;
let home: string;
let root: string;
let env: NodeJS.ProcessEnv;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, timeout = 120_000): Run {
  // npm and npx are .cmd scripts on Windows, which spawn only through a shell.
  const shell = process.platform === 'win32';
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout, shell });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const npm = (args: string[], cwd: string, timeout?: number): Run =>
  run(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, cwd, timeout);
/** `npx spool …` as the README says; --no: never fetch a package, use the installed bin. */
const spool = (...args: string[]): Run =>
  run(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['--no', 'spool', ...args], project);
const show = (r: Run): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

/** The first ```ts block of README.md's "Instrument your code" section, as a user copies it. */
function readmeInstrumentExample(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Instrument your code'));
  const code = section?.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (!code) throw new Error('README.md has no ```ts block under "## Instrument your code"');
  return code;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'otelspool-packed-'));
  project = join(work, 'app');
  home = join(work, 'home');
  root = join(home, '.local', 'share', 'otelspool');
  mkdirSync(project);
  mkdirSync(home);

  // Children see this node (the repository's Node 24 when run by npm test) first on PATH, a
  // fresh HOME, and none of the npm_* variables of an enclosing `npm test` (they would point
  // the nested npm at the repository). The npm cache stays the user's, for --prefer-offline.
  const cache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
  env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^npm_/i.test(k) && !['INIT_CWD', 'SPOOL_DIR', 'OTEL_SERVICE_NAME'].includes(k),
    ),
  );
  Object.assign(env, {
    PATH: [dirname(process.execPath), process.env.PATH].join(delimiter),
    HOME: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    NO_COLOR: '1',
    npm_config_cache: cache || join(work, 'npm-cache'),
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  });
  delete env.FORCE_COLOR;

  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const files: string[] = [];
  for (const name of PACKAGES) {
    const dir = join(REPO, 'packages', name);
    if (!existsSync(join(dir, 'dist', 'index.js')))
      throw new Error(`packages/${name} is not built; run npm run build (npm test does)`);
    const packed = npm(['pack', '--json', '--pack-destination', tarballs], dir);
    expect(packed.code, show(packed)).toBe(0);
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
    files.push(join(tarballs, info!.filename));
  }

  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'packed-install-app', private: true, type: 'module' }, null, 2),
  );
  const install = npm(
    ['install', '--prefer-offline', '--no-audit', '--no-fund', ...files, '@opentelemetry/api'],
    project,
    INSTALL_TIMEOUT,
  );
  expect(install.code, show(install)).toBe(0);
}, INSTALL_TIMEOUT + 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarballs, installed into an empty project', () => {
  it('install one copy of each package and of the OpenTelemetry API and SDK', () => {
    const ls = npm(['ls', '--all', '--json'], project);
    expect(ls.code, show(ls)).toBe(0);
    const versions = new Map<string, Set<string>>();
    const walk = (deps: Record<string, { version?: string; dependencies?: object }> = {}) => {
      for (const [name, d] of Object.entries(deps)) {
        if (!versions.has(name)) versions.set(name, new Set());
        if (d.version) versions.get(name)!.add(d.version);
        walk(d.dependencies as never);
      }
    };
    walk((JSON.parse(ls.stdout) as { dependencies?: never }).dependencies);
    for (const name of PACKAGES) expect(versions.get(`@otelspool/${name}`)?.size).toBe(1);
    for (const name of ['api', 'api-logs', 'core', 'resources', 'sdk-trace-base', 'sdk-metrics'])
      expect([...(versions.get(`@opentelemetry/${name}`) ?? [])], name).toHaveLength(1);
    // The workspace packages come from the tarballs, never from a registry.
    const lock = readFileSync(join(project, 'package-lock.json'), 'utf8');
    expect(lock).not.toMatch(/"resolved": "https?:[^"]*@otelspool/);
  });

  it("runs the README's instrument example", () => {
    writeFileSync(join(project, 'instrument.mjs'), readmeInstrumentExample());
    const app = run(process.execPath, ['instrument.mjs'], project);
    expect(app.code, show(app)).toBe(0);
    expect(existsSync(join(root, 'my-plugin', 'traces'))).toBe(true);

    const report = spool('report', '--json');
    expect(report.code, show(report)).toBe(0);
    expect(report.stderr).toContain(`spool: using ${join(root, 'my-plugin')}`);
    const r = JSON.parse(report.stdout);
    expect(r.services).toEqual(['my-plugin']);
    expect(r.spans.overall.count).toBeGreaterThanOrEqual(1);
    expect(r.events.top).toContainEqual(expect.objectContaining({ key: 'preset.change' }));
  });

  it('npx spool demo writes telemetry, and report and crashes show it', () => {
    const demo = spool('demo', '--duration', '2', '--json');
    expect(demo.code, show(demo)).toBe(0);
    const summary = JSON.parse(demo.stdout);
    expect(summary.dir).toBe(join(root, 'demo-plugin-host'));
    expect(summary.blocks).toBeGreaterThan(10);
    expect(summary.records.traces).toBeGreaterThan(10);
    expect(summary.records.metrics).toBeGreaterThan(0);
    expect(summary.records.logs).toBeGreaterThan(0);

    const crash = spool('demo', '--duration', '1', '--crash', '--json');
    expect(crash.code, show(crash)).toBe(0);
    expect(JSON.parse(crash.stdout).crashed).toBe(true);

    const report = spool('report', '--service', 'demo-plugin-host');
    expect(report.code, show(report)).toBe(0);
    expect(report.stdout).toContain('plugin.process');
    expect(report.stdout).toContain('host.audio_block');
    const json = JSON.parse(spool('report', '--service', 'demo-plugin-host', '--json').stdout);
    expect(json.spans.overall.count).toBeGreaterThan(10);
    expect(json.crashes.total).toBe(1);

    const crashes = spool('crashes', '--service', 'demo-plugin-host');
    expect(crashes.code, show(crashes)).toBe(0);
    expect(crashes.stdout).toContain('TypeError');
    expect(crashes.stdout).toContain("reading 'coefficients'");
  });
});
