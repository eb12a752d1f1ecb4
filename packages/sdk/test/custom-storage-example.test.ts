import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forEachSpan } from '@otelspool/exporter-jsonl';
import { collect, tempDir } from './helpers.js';

const EXAMPLE = resolve(import.meta.dirname ?? '.', '../../../examples/custom-storage/app.mjs');

describe('examples/custom-storage (a processor storing records somewhere else)', () => {
  it('writes its own file beside the spool, and the spool still has every span', async () => {
    const tmp = tempDir();
    try {
      const out = join(tmp.dir, 'extra.jsonl');
      const spool = join(tmp.dir, 'spool');
      execFileSync(process.execPath, [EXAMPLE, '--dir', spool, '--out', out], { encoding: 'utf8' });
      const lines = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => [l.signal, l.name ?? l.body])).toEqual([
        ['log', 'preset is old'],
        ['span', 'load-preset'],
        ['span', 'save-preset'],
      ]);
      expect(lines[2]).toMatchObject({ error: true });
      const spooled: string[] = [];
      for (const t of (await collect(spool)).traces)
        forEachSpan(t, (s) => spooled.push(s.name ?? ''));
      expect(spooled.sort()).toEqual(['load-preset', 'save-preset']);
      const ids = lines.filter((l) => l.signal === 'span').map((l) => l.spanId);
      expect(new Set(ids).size).toBe(2);
    } finally {
      tmp.cleanup();
    }
  });

  it('refuses to run without its arguments (exit 2)', () => {
    expect(() => execFileSync(process.execPath, [EXAMPLE], { stdio: 'pipe' })).toThrow(/usage/);
  });
});
