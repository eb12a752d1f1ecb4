import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './free-port.js';
import { startPeerProcess, type PeerProcess } from './peer-process.js';
import { peerBinaries } from './peers.js';
import { GiveUp, httpOk, waitFor } from './wait-for.js';

export interface RunningCollector {
  process: PeerProcess;
  configFile: string;
  stop(): Promise<void>;
}

type CollectorConfig = Record<string, unknown> & { service: Record<string, unknown> };

/**
 * Starts the suite's Collector build with `config` (an object, written as YAML into `dir`).
 * Adds a health_check extension on a free port (waited on) and turns the Collector's own metrics
 * endpoint off, so parallel peers never fight over its default port 8888.
 */
export async function startCollector(
  dir: string,
  config: CollectorConfig,
): Promise<RunningCollector> {
  const healthPort = await freePort();
  const service = config.service;
  const full = {
    ...config,
    extensions: {
      ...((config.extensions as Record<string, unknown> | undefined) ?? {}),
      health_check: { endpoint: `127.0.0.1:${healthPort}` },
    },
    service: {
      ...service,
      extensions: [...((service.extensions as string[] | undefined) ?? []), 'health_check'],
      telemetry: { metrics: { level: 'none' }, logs: { level: 'info' } },
    },
  };
  const configFile = join(dir, 'otelcol.yaml');
  await writeFile(configFile, stringify(full));
  const peer = startPeerProcess('collector', peerBinaries.collector(), [`--config=${configFile}`], {
    cwd: dir,
    logFile: join(dir, 'otelcol.log'),
  });
  try {
    await waitFor(
      async () => {
        if (peer.exited()) throw new GiveUp(`collector exited`);
        return httpOk(`http://127.0.0.1:${healthPort}/`);
      },
      { what: 'the Collector health check' },
    );
  } catch (error) {
    await peer.stop();
    throw new Error(`${(error as Error).message}\n--- collector output ---\n${peer.output()}`);
  }
  return { process: peer, configFile, stop: () => peer.stop() };
}
