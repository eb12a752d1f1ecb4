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
  /** The flags it was started with (docker-compose.yml's, paths and listen address rewired). */
  args: string[];
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /**
   * false: the deployed prometheus.yml without `storage.tsdb.out_of_order_time_window` (so
   * Prometheus' default, 0), to show what that window is for. Default: as deployed.
   */
  outOfOrderWindow?: boolean;
}

interface DeployedPrometheusConfig {
  storage?: { tsdb?: Record<string, unknown> };
  rule_files?: string[];
  scrape_configs?: { job_name: string; static_configs?: { targets: string[] }[] }[];
  [key: string]: unknown;
}

interface ComposeFile {
  services: { prometheus: { command: string[] } };
}

/**
 * Starts Prometheus 3 (built from source into the peers cache, the release docker-compose.yml
 * runs) with deploy/prometheus/prometheus.yml as deployed (OTLP translation, promoted resource
 * attributes, out-of-order window, SLO rules) and the flags of the compose service (OTLP receiver
 * on, retention). Only what cannot be the same here is rewired: the config, data and rule paths,
 * the listen address (127.0.0.1, a free port) and the self-scrape target.
 */
export async function startPrometheus(
  dir: string,
  options: StartPrometheusOptions = {},
): Promise<RunningPrometheus> {
  const config = parse(
    await readFile(join(REPO_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8'),
  ) as DeployedPrometheusConfig;
  const compose = parse(
    await readFile(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'),
  ) as ComposeFile;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  config.rule_files = [join(REPO_ROOT, 'deploy/prometheus/rules/*.yml')];
  for (const job of config.scrape_configs ?? []) {
    for (const targets of job.static_configs ?? []) {
      targets.targets = targets.targets.map((t) =>
        t === 'localhost:9090' ? `127.0.0.1:${port}` : t,
      );
    }
  }
  if (options.outOfOrderWindow === false) delete config.storage?.tsdb?.out_of_order_time_window;
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, stringify(config));
  const dataDir = join(dir, 'prometheus-data');
  await mkdir(dataDir, { recursive: true });

  const deployedFlags = compose.services.prometheus.command;
  const args = deployedFlags.map((flag) => {
    if (flag.startsWith('--config.file=')) return `--config.file=${configFile}`;
    if (flag.startsWith('--storage.tsdb.path=')) return `--storage.tsdb.path=${dataDir}`;
    return flag;
  });
  args.push(`--web.listen-address=127.0.0.1:${port}`);

  const peer = startPeerProcess('prometheus', peerBinaries.prometheus(), args, {
    cwd: dir,
    logFile: join(dir, 'prometheus.log'),
  });
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
  return { process: peer, url, args, stop: () => peer.stop() };
}
