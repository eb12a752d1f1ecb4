// Interop 4: `spool sync` → the real Collector (deploy/otelcol/config.yaml) → real Prometheus
// (Debian's 2.42 through the remote-write receiver: it has no OTLP ingest). Series and sample
// counts are queried back through the Prometheus HTTP API, named as the standard OTLP→Prometheus
// translation names them, the dashboard's derived series (crashes, sessions, events, span
// metrics) included. A second spool read by the Collector's otlp_json_file receiver checks the
// Collector → Prometheus leg independently of the CLI.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectFixtureInPrometheus } from './support/expect-in-prometheus.js';
import { startNativeStack, type NativeStack } from './support/native-stack.js';
import { ensurePeers } from './support/peers.js';
import { grantAndSync } from './support/spool-cli.js';
import { writeFixtureSpool, type SpoolFixture } from './support/spool-fixture.js';

describe('spool sync → Collector → Prometheus', () => {
  let dir: string;
  let stack: NativeStack | undefined;
  let fileFixture: SpoolFixture;

  beforeAll(async () => {
    ensurePeers('collector', 'jaeger', 'prometheus');
    dir = await mkdtemp(join(tmpdir(), 'otelspool-interop-prometheus-'));
    fileFixture = await writeFixtureSpool(join(dir, 'file-spool'));
    const fromFiles = (signal: string) => ({
      include: [join(fileFixture.dir, signal, '*.jsonl')],
      start_at: 'beginning',
      include_file_name: false,
    });
    stack = await startNativeStack(join(dir, 'stack'), {
      'otlp_json_file/traces': fromFiles('traces'),
      'otlp_json_file/metrics': fromFiles('metrics'),
      'otlp_json_file/logs': fromFiles('logs'),
    });
  });

  afterAll(async () => {
    await stack?.stop();
    if (dir !== undefined && process.env.KEEP_INTEROP_DIRS === undefined) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a spool read by the Collector lands in Prometheus with the translated names', async () => {
    await expectFixtureInPrometheus(stack!.prometheus.url, fileFixture, 'verbatim');
  });

  it('spool sync ships a spool through the Collector into Prometheus: exact series and samples', async () => {
    const synced = await writeFixtureSpool(join(dir, 'sync-spool'));
    await grantAndSync(synced.dir, stack!.otlpHttpUrl);
    // Redacted before it left: the host name arrives as its salted hash, never verbatim.
    await expectFixtureInPrometheus(stack!.prometheus.url, synced, 'hashed');
  });
});
