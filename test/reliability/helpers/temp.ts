import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/**
 * A fresh directory under os.tmpdir() (or `base`, e.g. /dev/shm for file-heavy fuzzing);
 * removed by removeTempDirs().
 */
export async function tempDir(prefix: string, base: string = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(base, `otelspool-rel-${prefix}-`));
  made.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** A RAM-backed base for many small files when this machine has one, else os.tmpdir(). */
export function fastTempBase(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}
