import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, logsOf, tempDir } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/exit-without-shutdown.mjs', import.meta.url));

describe('process.exit() without shutdown()', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('still writes every queued record (Sentry loses them: getsentry/sentry-javascript#15058)', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const result = spawnSync(process.execPath, [fixture, tmp.dir], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const steps = logsOf(await collect(tmp.dir)).filter((l) => l.log.eventName === 'cli.step');
    expect(steps).toHaveLength(25);
  });
});
