import { execFileSync } from 'node:child_process';

const mounted: string[] = [];

/**
 * Mounts a tmpfs of `size` (e.g. '2m') on `dir`. Returns false (and says so loudly) when this
 * machine refuses the mount (not root, no CAP_SYS_ADMIN): the caller then skips.
 */
export function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], {
      stdio: 'pipe',
    });
    mounted.push(dir);
    return true;
  } catch (error) {
    console.warn(
      `\n!!! SKIPPING disk-fault tests: mount -t tmpfs refused on this machine: ${String(error)}\n`,
    );
    return false;
  }
}

/** A read-only bind mount of `source` on `target` (root ignores mode bits, not mount flags). */
export function bindReadOnly(source: string, target: string): void {
  execFileSync('mount', ['--bind', source, target], { stdio: 'pipe' });
  mounted.push(target);
  execFileSync('mount', ['-o', 'remount,bind,ro', target], { stdio: 'pipe' });
}

export function remountBind(dir: string, mode: 'ro' | 'rw'): void {
  execFileSync('mount', ['-o', `remount,bind,${mode}`, dir], { stdio: 'pipe' });
}

const immutable = new Set<string>();

/** chattr -R +i / -i: the immutable flag stops root too, even through already-open fds. */
export function setImmutable(dir: string, on: boolean): void {
  execFileSync('chattr', ['-R', on ? '+i' : '-i', dir], { stdio: 'pipe' });
  if (on) immutable.add(dir);
  else immutable.delete(dir);
}

/** Clears every immutable flag this process set (else the temp dirs cannot be removed). */
export function clearImmutable(): void {
  for (const dir of [...immutable]) {
    try {
      setImmutable(dir, false);
    } catch (error) {
      console.warn(`chattr -R -i ${dir} failed: ${String(error)}`);
    }
  }
}

export function remount(dir: string, mode: 'ro' | 'rw'): void {
  execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'pipe' });
}

/** Unmounts every tmpfs this process mounted (lazily, so a stray open file cannot block it). */
export function unmountAll(): void {
  for (const dir of mounted.splice(0).reverse()) {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    } catch (error) {
      console.warn(`umount ${dir} failed: ${String(error)}`);
    }
  }
}
