import { execFileSync } from 'node:child_process';

/**
 * A real second local user for the hostile-neighbour tests (issue 11, item 1): made once with
 * `useradd --system --no-create-home` (idempotent), and used through `runuser`, so what it
 * plants is owned by another uid exactly as an attacker's files would be.
 */
export const INTRUDER = 'otelspool-intruder';

export interface SecondUser {
  name: string;
  uid: number;
  gid: number;
  /** Runs a /bin/sh script as this user (cwd `/`), returns its stdout. Throws on failure. */
  sh(script: string, env?: Record<string, string>): string;
}

/** The user, or the reason the tests that need one must skip. */
export function secondUser(): SecondUser | { skip: string } {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') {
    return { skip: 'needs POSIX users (useradd/runuser)' };
  }
  if (process.getuid() !== 0) {
    return { skip: 'needs root to create a second local user with useradd (run as root or in CI)' };
  }
  try {
    let uid = lookupId('-u');
    if (uid === undefined) {
      try {
        execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/bin/sh', INTRUDER], {
          stdio: 'pipe',
        });
      } catch (err) {
        // Made meanwhile by a parallel run: fine if the user exists now.
        if (lookupId('-u') === undefined) throw err;
      }
      uid = lookupId('-u');
    }
    const gid = lookupId('-g');
    if (uid === undefined || gid === undefined) return { skip: `useradd ${INTRUDER} failed` };
    return {
      name: INTRUDER,
      uid,
      gid,
      sh(script, env = {}) {
        return execFileSync('runuser', ['-u', INTRUDER, '--', '/bin/sh', '-c', script], {
          cwd: '/',
          env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', ...env },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      },
    };
  } catch (err) {
    return { skip: `cannot create ${INTRUDER}: ${(err as Error).message}` };
  }
}

function lookupId(flag: '-u' | '-g'): number | undefined {
  try {
    const out = execFileSync('id', [flag, INTRUDER], { encoding: 'utf8', stdio: 'pipe' }).trim();
    const n = Number(out);
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
