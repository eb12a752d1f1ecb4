// The decisions behind the clig.dev habits, tested directly (the child-process tests in
// test/commands/cli-habits.test.ts show them end to end).
import { PassThrough } from 'node:stream';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pc from 'picocolors';
import {
  colorDecision,
  confirmDestructive,
  displayWidth,
  ellipsize,
  EXIT_CODES,
  EXIT_NOT_CONFIRMED,
  exitCodesHelp,
  fitColumns,
  progressAllowed,
  renderTable,
  startReadProgress,
  terminalWidth,
} from '../../src/output/index.js';

const tty = (columns?: number): NodeJS.WriteStream =>
  ({ isTTY: true, columns, write: vi.fn(() => true) }) as unknown as NodeJS.WriteStream;
const pipe = (): NodeJS.WriteStream =>
  ({ isTTY: false, write: vi.fn(() => true) }) as unknown as NodeJS.WriteStream;

describe('colorDecision', () => {
  const cases: Array<[string, NodeJS.ProcessEnv, boolean, boolean | undefined, boolean]> = [
    ['TTY', {}, true, undefined, true],
    ['pipe', {}, false, undefined, false],
    ['NO_COLOR on a TTY', { NO_COLOR: '1' }, true, undefined, false],
    ['empty NO_COLOR is unset', { NO_COLOR: '' }, true, undefined, true],
    ['FORCE_COLOR=1 on a pipe', { FORCE_COLOR: '1' }, false, undefined, true],
    ['FORCE_COLOR=3 on a pipe', { FORCE_COLOR: '3' }, false, undefined, true],
    ['FORCE_COLOR=0 on a TTY', { FORCE_COLOR: '0' }, true, undefined, false],
    ['FORCE_COLOR=false on a TTY', { FORCE_COLOR: 'false' }, true, undefined, false],
    ['NO_COLOR beats FORCE_COLOR', { NO_COLOR: '1', FORCE_COLOR: '1' }, false, undefined, false],
    ['TERM=dumb on a TTY', { TERM: 'dumb' }, true, undefined, false],
    ['FORCE_COLOR beats TERM=dumb', { TERM: 'dumb', FORCE_COLOR: '1' }, true, undefined, true],
    ['--no-color beats FORCE_COLOR', { FORCE_COLOR: '1' }, true, true, false],
  ];
  it.each(cases)('%s', (_name, env, isTTY, noColorFlag, expected) => {
    expect(colorDecision({ env, isTTY, noColorFlag })).toBe(expected);
  });
});

describe('progressAllowed and terminalWidth', () => {
  it('progress only on a TTY, never with --json, NO_COLOR or TERM=dumb', () => {
    expect(progressAllowed({}, tty(), {})).toBe(true);
    expect(progressAllowed({}, pipe(), {})).toBe(false);
    expect(progressAllowed({ json: true }, tty(), {})).toBe(false);
    expect(progressAllowed({}, tty(), { NO_COLOR: '1' })).toBe(false);
    expect(progressAllowed({}, tty(), { TERM: 'dumb' })).toBe(false);
  });

  it('width: the TTY columns (80 when unknown); no limit when not a TTY', () => {
    expect(terminalWidth(tty(132))).toBe(132);
    expect(terminalWidth(tty())).toBe(80);
    expect(terminalWidth(pipe())).toBeUndefined();
  });
});

describe('width-aware tables', () => {
  const c = pc.createColors(false);
  const columns = [
    { header: 'signature' },
    { header: 'message', flex: true },
    { header: 'count', align: 'right' as const },
  ];
  const rows = [['1111222233334444', 'x'.repeat(200) + ' END', '123456789']];

  it('cuts only the free-text column to fit, numbers and ids stay whole', () => {
    const out = renderTable(columns, rows, c, { width: 60 });
    for (const line of out.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(60);
    expect(out).toContain('1111222233334444');
    expect(out).toContain('123456789');
    expect(out).toContain('…');
  });

  it('cuts nothing without a width (not a TTY)', () => {
    const out = renderTable(columns, rows, c, { width: undefined });
    expect(out).toContain('x'.repeat(200) + ' END');
  });

  it('the widest free-text column gives way first', () => {
    expect(fitColumns([10, 50, 30], [false, true, true], 70, [12, 12, 12])).toEqual([10, 25, 25]);
    expect(fitColumns([10, 50], [false, false], 20)).toEqual([10, 50]); // nothing to cut
  });

  it('wraps long headers of narrow columns, then hides hideOrder columns', () => {
    const many = [
      { header: 'id' },
      { header: 'crash-free sessions', align: 'right' as const },
      { header: 'first seen', hideOrder: 1 },
      { header: 'message', flex: true },
    ];
    const out = renderTable(many, [['abcd', '99 %', '2026-12-01 10:00:00Z', 'm'.repeat(40)]], c, {
      width: 40,
    });
    for (const line of out.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(40);
    expect(out).toContain('crash-free');
    expect(out).not.toContain('first seen');
  });

  it('ellipsize counts wide characters and drops escape codes when it cuts', () => {
    expect(ellipsize('日本語テキスト', 7)).toBe('日本語…');
    expect(ellipsize('\u001b[31mshort\u001b[39m', 10)).toBe('\u001b[31mshort\u001b[39m');
    expect(ellipsize('\u001b[31mlonger text\u001b[39m', 6)).toBe('longe…');
  });
});

describe('read progress', () => {
  let dir: string | undefined;
  beforeEach(() => {
    // the decision reads the environment: CI sets NO_COLOR=1, some terminals TERM=dumb
    vi.stubEnv('NO_COLOR', '');
    vi.stubEnv('TERM', 'xterm-256color');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.useRealTimers();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws nothing in the first second, then "reading spool… done / total" in place; cleared at the end', () => {
    vi.useFakeTimers();
    dir = mkdtempSync(join(tmpdir(), 'spool-progress-'));
    mkdirSync(join(dir, 'traces'));
    const file = join(dir, 'traces', 'seg-1.jsonl');
    writeFileSync(file, 'x'.repeat(4096));
    const stream = tty();
    const progress = startReadProgress(dir, ['traces'], {}, stream);
    progress.onRecord({ file, position: 2048 });
    vi.advanceTimersByTime(900);
    expect(stream.write).not.toHaveBeenCalled();
    vi.advanceTimersByTime(200);
    expect(stream.write).toHaveBeenLastCalledWith('\r\u001b[2Kreading spool… 2.0 KiB / 4.0 KiB');
    progress.stop();
    expect(stream.write).toHaveBeenLastCalledWith('\r\u001b[2K');
  });

  it('a fast read leaves no trace; a pipe or --json gets none', () => {
    vi.useFakeTimers();
    const stream = tty();
    const quick = startReadProgress('/nonexistent', ['traces'], {}, stream);
    quick.stop();
    vi.advanceTimersByTime(5000);
    expect(stream.write).not.toHaveBeenCalled();
    const piped = pipe();
    startReadProgress('/nonexistent', ['traces'], {}, piped);
    const json = tty();
    startReadProgress('/nonexistent', ['traces'], { json: true }, json);
    vi.advanceTimersByTime(5000);
    expect(piped.write).not.toHaveBeenCalled();
    expect(json.write).not.toHaveBeenCalled();
  });
});

describe('confirmDestructive', () => {
  const io = (isTTY: boolean, answer?: string) => {
    const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
    stdin.isTTY = isTTY;
    const stderr = new PassThrough() as unknown as NodeJS.WriteStream;
    if (answer !== undefined) setImmediate(() => (stdin as unknown as PassThrough).write(answer));
    return { stdin, stderr };
  };

  it('--yes skips the question', async () => {
    await expect(confirmDestructive('delete?', { yes: true }, io(false))).resolves.toBeUndefined();
  });

  it('no TTY and no --yes: refuses at once with exit 3', async () => {
    await expect(confirmDestructive('delete it?', {}, io(false))).rejects.toMatchObject({
      exitCode: EXIT_NOT_CONFIRMED,
      message: expect.stringContaining('--yes'),
    });
  });

  it('a TTY: y goes ahead, anything else is exit 3', async () => {
    await expect(confirmDestructive('delete?', {}, io(true, 'y\n'))).resolves.toBeUndefined();
    await expect(confirmDestructive('delete?', {}, io(true, 'yes\n'))).resolves.toBeUndefined();
    await expect(confirmDestructive('delete?', {}, io(true, '\n'))).rejects.toMatchObject({
      exitCode: EXIT_NOT_CONFIRMED,
    });
    await expect(confirmDestructive('delete?', {}, io(true, 'nope\n'))).rejects.toMatchObject({
      exitCode: EXIT_NOT_CONFIRMED,
    });
  });
});

describe('exit codes', () => {
  it('one code per meaning, each listed in the help epilogue', () => {
    const codes = EXIT_CODES.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual([0, 1, 2, 3]);
    const help = exitCodesHelp();
    for (const line of help.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    for (const code of codes) expect(help).toMatch(new RegExp(`^  ${code} `, 'm'));
  });
});
