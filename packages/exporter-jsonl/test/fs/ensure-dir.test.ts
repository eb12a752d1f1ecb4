import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDir, ensureDirSync } from '../../src/internal.js';

let dir: string;
let umask: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelspool-dirs-'));
  umask = process.umask(0o000);
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

const mode = (p: string): number => statSync(p).mode & 0o777;

describe('ensureDirSync', () => {
  it('creates missing parents, every new directory 0700 whatever the umask', () => {
    const deep = join(dir, 'a', 'b', 'c');
    ensureDirSync(deep);
    expect([mode(join(dir, 'a')), mode(join(dir, 'a', 'b')), mode(deep)]).toEqual([
      0o700, 0o700, 0o700,
    ]);
  });

  it('leaves an existing directory as its owner made it, and is idempotent', () => {
    const existing = join(dir, 'shared');
    mkdirSync(existing);
    chmodSync(existing, 0o755);
    ensureDirSync(existing);
    ensureDirSync(join(existing, 'mine'));
    ensureDirSync(join(existing, 'mine'));
    expect(mode(existing)).toBe(0o755);
    expect(mode(join(existing, 'mine'))).toBe(0o700);
  });

  it('throws when a file is in the way', () => {
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    expect(() => ensureDirSync(join(file, 'sub'))).toThrow(/ENOTDIR|EEXIST/);
    expect(() => ensureDirSync(file)).toThrow(/EEXIST/);
  });
});

describe('ensureDir', () => {
  it('creates missing parents 0700', async () => {
    const deep = join(dir, 'x', 'y');
    await ensureDir(deep);
    expect([mode(join(dir, 'x')), mode(deep)]).toEqual([0o700, 0o700]);
  });
});
