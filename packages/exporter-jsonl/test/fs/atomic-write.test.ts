import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicTempPath, writeFileAtomic, writeFileAtomicSync } from '../../src/internal.js';

const distInternal = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'dist',
  'internal.js',
);

let dir: string;
let umask: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelspool-atomic-'));
  umask = process.umask(0o000); // the widest umask: modes must still be owner-only
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomicSync', () => {
  it('creates the file owner-only (0600) whatever the umask, leaving no temporary file', () => {
    const path = join(dir, 'snapshot.json');
    writeFileAtomicSync(path, '{"a":1}');
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['snapshot.json']);
  });

  it('replaces an existing file, applying the requested mode, and writes Buffers', () => {
    const path = join(dir, 'state.json');
    writeFileSync(path, 'old content that is longer', { mode: 0o644 });
    writeFileAtomicSync(path, Buffer.from('new'), 0o640);
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('on failure leaves the target untouched and removes its temporary file', () => {
    const target = join(dir, 'busy');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'x'); // rename over a non-empty directory fails
    expect(() => writeFileAtomicSync(target, 'data')).toThrow();
    expect(readdirSync(dir)).toEqual(['busy']);
    expect(readdirSync(target)).toEqual(['inside']);
  });

  it('uses a hidden .tmp sibling in the same directory', () => {
    const tmp = atomicTempPath(join(dir, 'a.json'));
    expect(dirname(tmp)).toBe(dir);
    expect(tmp).toMatch(/\/\.a\.json\.\d+\.[0-9a-f]{8}\.tmp$/);
  });

  it('never exposes a partial file under the target name when the writer is killed mid-write', async () => {
    // A child (built dist, Node 24) rewrites a 64 MiB file in a loop; it is SIGKILLed once its
    // temporary file exists. The target must then be absent or complete, never partial.
    const target = join(dir, 'big.bin');
    const size = 64 * 1024 * 1024;
    const script = `
      import { writeFileAtomicSync } from ${JSON.stringify(distInternal)};
      const data = Buffer.alloc(${size}, 7);
      for (;;) writeFileAtomicSync(${JSON.stringify(target)}, data);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: 'ignore',
    });
    try {
      const deadline = Date.now() + 30_000;
      while (!readdirSync(dir).some((n) => n.endsWith('.tmp'))) {
        if (Date.now() > deadline) throw new Error('the child never started writing');
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    if (existsSync(target)) expect(statSync(target).size).toBe(size);
    for (const name of readdirSync(dir)) {
      expect(name === 'big.bin' || /^\.big\.bin\.\d+\.[0-9a-f]{8}\.tmp$/.test(name)).toBe(true);
    }
  });
});

describe('writeFileAtomic', () => {
  it('writes owner-only and replaces atomically', async () => {
    const path = join(dir, 'x.json');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['x.json']);
  });

  it('applies a mode and can skip fsync', async () => {
    const path = join(dir, 'q.json');
    await writeFileAtomic(path, Buffer.from('q'), { mode: 0o640, fsync: false });
    expect(readFileSync(path, 'utf8')).toBe('q');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['q.json']);
  });
});

describe('writeFileAtomicSync options', () => {
  it('{ fsync: false } still replaces atomically, owner-only, leaving no temporary file', () => {
    const path = join(dir, 'cache.json');
    writeFileSync(path, 'old', { mode: 0o644 });
    writeFileAtomicSync(path, '{"b":2}', { fsync: false });
    expect(readFileSync(path, 'utf8')).toBe('{"b":2}');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['cache.json']);
  });

  it('a numeric third argument is the mode, as { mode } is', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    writeFileAtomicSync(a, 'x', 0o640);
    writeFileAtomicSync(b, 'x', { mode: 0o640, fsync: false });
    expect(statSync(a).mode & 0o777).toBe(0o640);
    expect(statSync(b).mode & 0o777).toBe(0o640);
  });
});
