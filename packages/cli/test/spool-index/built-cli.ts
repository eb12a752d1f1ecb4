import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The built `spool` CLI run as a user runs it, shared by the index tests that compare what it
// prints by scan and by index on real spools.

export const SPOOL_BIN = fileURLToPath(new URL('../../dist/bin/spool.js', import.meta.url));

/** Runs `spool …` to completion (bounded: a hang fails the test instead of stalling it). */
export function spawnSpool(...args: string[]) {
  return spawnSync(process.execPath, [SPOOL_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
}

/** Its stdout; throws with its stderr when it exits non-zero. */
export function runSpool(...args: string[]): string {
  const result = spawnSpool(...args);
  if (result.status !== 0) throw new Error(`spool ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** `spool report --json` without its clock. */
export function reportJson(dir: string, ...args: string[]): Record<string, unknown> {
  const json = JSON.parse(runSpool('report', '--dir', dir, '--json', ...args)) as Record<
    string,
    unknown
  >;
  delete json.generatedAt;
  return json;
}
