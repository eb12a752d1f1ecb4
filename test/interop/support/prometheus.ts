import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from './free-port.js';
import { startPeerProcess, type PeerProcess } from './peer-process.js';
import { peerBinaries, REPO_ROOT } from './peers.js';
import { GiveUp, httpOk, waitFor } from './wait-for.js';

export interface RunningPrometheus {
  process: PeerProcess;
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  /** Remote-write receiver URL for the Collector's prometheusremotewrite exporter. */
  remoteWriteUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's Prometheus (2.42: remote-write receiver, no OTLP ingest) with the compose
 * stack's prometheus.yml minus its v3-only `otlp` block: same out-of-order window, same SLO
 * rules (loaded from deploy/prometheus/rules), no scrape jobs.
 */
export async function startPrometheus(dir: string): Promise<RunningPrometheus> {
  const deployed = parse(
    await readFile(join(REPO_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8'),
  ) as Record<string, unknown>;
  const config = {
    global: deployed.global,
    storage: deployed.storage,
    rule_files: [join(REPO_ROOT, 'deploy/prometheus/rules/*.yml')],
  };
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, stringify(config));
  const dataDir = join(dir, 'prometheus-data');
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const peer = startPeerProcess(
    'prometheus',
    peerBinaries.prometheus(),
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
    ],
    { cwd: dir, logFile: join(dir, 'prometheus.log') },
  );
  try {
    await waitFor(
      async () => {
        if (peer.exited()) throw new GiveUp(`prometheus exited`);
        return httpOk(`${url}/-/ready`);
      },
      { what: 'Prometheus readiness' },
    );
  } catch (error) {
    await peer.stop();
    throw new Error(`${(error as Error).message}\n--- prometheus output ---\n${peer.output()}`);
  }
  return { process: peer, url, remoteWriteUrl: `${url}/api/v1/write`, stop: () => peer.stop() };
}
