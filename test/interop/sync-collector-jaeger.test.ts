// Interop 3: `spool sync` → the real Collector (the compose stack's deploy/otelcol/config.yaml)
// → real Jaeger v2. The traces must be found through Jaeger's query API: by service
// (/api/v3/traces) and by id (/api/v3/traces/{id}), every span, and the crash exception event.
// A second spool, read by the Collector's otlp_json_file receiver, checks the Collector → Jaeger
// leg and these queries independently of the CLI.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFixtureInJaeger } from './support/expect-in-jaeger.js';
import { getServices } from './support/jaeger-query.js';
import { startNativeStack, type NativeStack } from './support/native-stack.js';
import { ensurePeers } from './support/peers.js';
import { grantAndSync } from './support/spool-cli.js';
import { writeFixtureSpool, type SpoolFixture } from './support/spool-fixture.js';

describe('spool sync → Collector → Jaeger v2', () => {
  let dir: string;
  let stack: NativeStack | undefined;
  let fileFixture: SpoolFixture;

  beforeAll(async () => {
    ensurePeers('collector', 'jaeger', 'prometheus3');
    dir = await mkdtemp(join(tmpdir(), 'otelspool-interop-jaeger-'));
    fileFixture = await writeFixtureSpool(join(dir, 'file-spool'), ['traces']);
    stack = await startNativeStack(join(dir, 'stack'), {
      extraReceivers: {
        'otlp_json_file/traces': {
          include: [join(fileFixture.dir, 'traces', '*.jsonl')],
          start_at: 'beginning',
        },
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    if (dir !== undefined && process.env.KEEP_INTEROP_DIRS === undefined) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a spool read by the Collector lands in Jaeger with every span and the crash event', async () => {
    await expectFixtureInJaeger(stack!.jaeger.queryUrl, fileFixture);
  });

  it('spool sync ships a spool through the Collector into Jaeger, found by service and by id', async () => {
    const synced = await writeFixtureSpool(join(dir, 'sync-spool'));
    await grantAndSync(synced.dir, stack!.otlpHttpUrl);
    await expectFixtureInJaeger(stack!.jaeger.queryUrl, synced);
    expect(await getServices(stack!.jaeger.queryUrl)).toEqual(
      expect.arrayContaining([synced.serviceName, fileFixture.serviceName]),
    );
  });
});
