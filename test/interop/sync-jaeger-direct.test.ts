// Interop 5: `spool sync` straight into Jaeger v2's own OTLP/HTTP receiver, no Collector in
// between (Jaeger v2 is Collector-based and speaks OTLP itself). Jaeger takes traces only, so the
// spool holds traces only. A spool segment line POSTed as-is to Jaeger's /v1/traces checks that
// our lines are valid OTLP/HTTP JSON request bodies, independently of the CLI.
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFixtureInJaeger } from './support/expect-in-jaeger.js';
import { startJaeger, type RunningJaeger } from './support/jaeger.js';
import { ensurePeers } from './support/peers.js';
import { grantAndSync } from './support/spool-cli.js';
import { writeFixtureSpool } from './support/spool-fixture.js';

describe('spool sync → Jaeger v2 OTLP endpoint (no Collector)', () => {
  let dir: string;
  let jaeger: RunningJaeger | undefined;

  beforeAll(async () => {
    ensurePeers('jaeger');
    dir = await mkdtemp(join(tmpdir(), 'otelspool-interop-jaeger-direct-'));
    jaeger = await startJaeger(dir);
  });

  afterAll(async () => {
    await jaeger?.stop();
    if (dir !== undefined && process.env.KEEP_INTEROP_DIRS === undefined) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('accepts a spool segment line as an OTLP/HTTP JSON body', async () => {
    const fixture = await writeFixtureSpool(join(dir, 'posted-spool'), ['traces']);
    const segments = await readdir(join(fixture.dir, 'traces'));
    expect(segments).toHaveLength(1);
    const lines = (await readFile(join(fixture.dir, 'traces', segments[0] ?? ''), 'utf8'))
      .split('\n')
      .filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const response = await fetch(`${jaeger!.otlpHttpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: line,
        signal: AbortSignal.timeout(5_000),
      });
      expect(response.status, await response.text()).toBe(200);
    }
    await expectFixtureInJaeger(jaeger!.queryUrl, fixture);
  });

  it('spool sync --endpoint <jaeger> ships every span, found by service and by id', async () => {
    const fixture = await writeFixtureSpool(join(dir, 'sync-spool'), ['traces']);
    await grantAndSync(fixture.dir, jaeger!.otlpHttpUrl);
    await expectFixtureInJaeger(jaeger!.queryUrl, fixture);
  });
});
