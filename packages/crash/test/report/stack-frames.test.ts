import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { frameSourceFieldsOf, parseStack } from '../../src/report/stack-frames.js';
import { createCaptureScrubber } from '@otelspool/exporter-jsonl/write-path';

const scrub = createCaptureScrubber({ homeDirs: ['/home/alice'], userNames: ['alice'] });

const STACK = [
  'TypeError: bad',
  '    at loadPlugin (file:///home/alice/app/src/plugins.js:12:9)',
  '    at async Promise.all (index 0)',
  '    at Object.<anonymous> (/home/alice/app/node_modules/lib/index.js:3:1)',
  '    at listOnTimeout (node:internal/timers:585:17)',
  '    at new Host (/home/alice/app/src/host.js:40:5)',
  '    at /home/alice/app/src/main.js:7:3',
  '    at Array.forEach (<anonymous>)',
].join('\n');

describe('parseStack', () => {
  it('parses functions, files, positions and marks in-app frames', () => {
    const frames = parseStack(STACK, scrub);
    expect(frames).toHaveLength(7);
    expect(frames[0]).toMatchObject({
      function: 'loadPlugin',
      file: '~/app/src/plugins.js',
      line: 12,
      column: 9,
      inApp: true,
    });
    expect(frames[1]).toMatchObject({ function: 'Promise.all', async: true, inApp: false });
    expect(frames[1]?.file).toBeUndefined();
    expect(frames[2]).toMatchObject({ file: '~/app/node_modules/lib/index.js', inApp: false });
    expect(frames[3]).toMatchObject({ file: 'node:internal/timers', inApp: false });
    expect(frames[4]).toMatchObject({ function: 'Host', file: '~/app/src/host.js', inApp: true });
    expect(frames[5]).toMatchObject({ file: '~/app/src/main.js', line: 7, inApp: true });
    expect(frames[5]?.function).toBeUndefined();
    expect(frames[6]).toMatchObject({
      function: 'Array.forEach',
      file: '<anonymous>',
      inApp: false,
    });
    expect(JSON.stringify(frames)).not.toContain('alice');
  });

  it('limits in-app frames to appRoot when given', () => {
    const frames = parseStack(STACK, scrub, '/home/alice/app/src/plugins.js');
    expect(frames.filter((f) => f.inApp).map((f) => f.function)).toEqual(['loadPlugin']);
  });

  it('returns no frames for a missing or frameless stack', () => {
    expect(parseStack(undefined, scrub)).toEqual([]);
    expect(parseStack('Error: only a message\nsecond line', scrub)).toEqual([]);
  });
});

describe('parseStack with source maps (a TypeScript app compiled by tsc)', () => {
  /** Compiles app.ts to dist/app.js + dist/app.js.map, runs it, and returns the stack it printed. */
  function crashStack(enableSourceMaps: boolean, bundler = false): { root: string; stack: string } {
    const root = mkdtempSync(join(tmpdir(), 'otelspool-srcmap-'));
    mkdirSync(join(root, 'src'));
    mkdirSync(join(root, 'dist'));
    const source = [
      'interface Preset { name: string }',
      '',
      'export function loadPresetBank(preset: Preset): never {',
      '  const reason: string = `preset bank "${preset.name}" is corrupt`;',
      '  throw new TypeError(reason);',
      '}',
      '',
      'try {',
      "  loadPresetBank({ name: 'Warm Pads' });",
      '} catch (err) {',
      '  process.stdout.write((err as Error).stack ?? "");',
      '}',
    ].join('\n');
    writeFileSync(join(root, 'src', 'app.ts'), source);
    const out = ts.transpileModule(source, {
      fileName: join(root, 'src', 'app.ts'),
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        sourceMap: true,
        outDir: join(root, 'dist'),
        sourceRoot: '',
      },
    });
    // transpileModule names the map after the file; point it at dist/app.js.map like tsc does.
    const map = JSON.parse(out.sourceMapText!) as { sources: string[]; file: string };
    map.sources = bundler ? ['webpack://app/./src/app.ts'] : ['../src/app.ts'];
    map.file = 'app.js';
    // A bundler's map names sources by URL and carries their text.
    if (bundler) Object.assign(map, { sourcesContent: [source] });
    writeFileSync(
      join(root, 'dist', 'app.mjs'),
      out.outputText.replace(/\/\/# sourceMappingURL=.*$/m, '//# sourceMappingURL=app.mjs.map'),
    );
    writeFileSync(join(root, 'dist', 'app.mjs.map'), JSON.stringify(map));
    const args = [
      ...(enableSourceMaps ? ['--enable-source-maps'] : []),
      join(root, 'dist', 'app.mjs'),
    ];
    const stack = execFileSync(process.execPath, args, { encoding: 'utf8' });
    return { root, stack };
  }

  it('maps an in-app frame to its .ts file and line, keeps the generated one and reads context', () => {
    const { root, stack } = crashStack(false);
    try {
      expect(stack).toContain('app.mjs'); // V8 printed the JavaScript location
      const [top] = parseStack(stack, scrub, root);
      expect(top).toMatchObject({
        function: 'loadPresetBank',
        file: join(root, 'src', 'app.ts'),
        line: 5,
        inApp: true,
      });
      expect(top?.generated?.file).toBe(join(root, 'dist', 'app.mjs'));
      expect(top?.raw).toContain('app.mjs');
      expect(top?.context?.startLine).toBe(2);
      expect(top?.context?.lines[3]).toBe('  throw new TypeError(reason);');
      expect(top?.context?.lines).toHaveLength(7);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps Node-mapped frames (--enable-source-maps) and reads their context', () => {
    const { root, stack } = crashStack(true);
    try {
      const [top] = parseStack(stack, scrub, root);
      expect(top).toMatchObject({ file: join(root, 'src', 'app.ts'), line: 5, inApp: true });
      expect(top?.generated).toBeUndefined();
      expect(top?.context?.lines[3]).toBe('  throw new TypeError(reason);');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a bundler map (webpack:// sources): context from its sourcesContent, never the bundle', () => {
    const { root, stack } = crashStack(false, true);
    try {
      const [top] = parseStack(stack, scrub);
      expect(top).toMatchObject({ file: 'webpack://app/./src/app.ts', line: 5 });
      expect(top?.generated?.file).toBe(join(root, 'dist', 'app.mjs'));
      // the original's line 5, not the bundle's line 5
      expect(top?.context?.lines[3]).toBe('  throw new TypeError(reason);');
      expect(top?.context?.lines[0]).toBe('');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads no context for node_modules or node: frames', () => {
    const frames = parseStack(STACK, scrub);
    expect(frames.every((f) => f.context === undefined && f.generated === undefined)).toBe(true);
  });
});

describe('frameSourceFieldsOf', () => {
  it('keeps well-formed generated locations and context, drops anything else', () => {
    expect(
      frameSourceFieldsOf({
        generated: { file: '/app/dist/a.js', line: 3, column: 9 },
        context: { startLine: 1, lines: ['a', 'b'] },
      }),
    ).toEqual({
      generated: { file: '/app/dist/a.js', line: 3, column: 9 },
      context: { startLine: 1, lines: ['a', 'b'] },
    });
    expect(frameSourceFieldsOf({ generated: { file: 1, line: 3, column: 9 } })).toEqual({});
    expect(frameSourceFieldsOf({ generated: { file: 'a', line: 0, column: 9 } })).toEqual({});
    expect(frameSourceFieldsOf({ context: { startLine: 1, lines: [1] } })).toEqual({});
    expect(frameSourceFieldsOf({ context: { startLine: 1, lines: Array(8).fill('x') } })).toEqual(
      {},
    );
    expect(frameSourceFieldsOf({ context: { startLine: 1, lines: ['x'.repeat(500)] } })).toEqual(
      {},
    );
  });
});
