import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePorts } from './free-port.js';
import { startPeerProcess, type PeerProcess } from './peer-process.js';
import { peerBinaries, REPO_ROOT } from './peers.js';
import { GiveUp, httpOk, waitFor } from './wait-for.js';

export interface RunningJaeger {
  process: PeerProcess;
  /** Jaeger's own OTLP/HTTP receiver, e.g. http://127.0.0.1:PORT */
  otlpHttpUrl: string;
  /** OTLP/gRPC receiver as host:port (for a Collector otlp exporter). */
  otlpGrpcEndpoint: string;
  /** UI and query API base, e.g. http://127.0.0.1:PORT */
  queryUrl: string;
  stop(): Promise<void>;
}

interface JaegerConfig {
  service: { telemetry?: Record<string, unknown> } & Record<string, unknown>;
  extensions: {
    healthcheckv2: { http: { endpoint: string } };
    jaeger_query: { http: { endpoint: string }; grpc: { endpoint: string } };
  } & Record<string, unknown>;
  receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
}

/**
 * Starts Jaeger v2 from the compose stack's own config (deploy/jaeger/config.yaml), with every
 * listener moved to 127.0.0.1 on free ports: the test exercises the file users run.
 */
export async function startJaeger(dir: string): Promise<RunningJaeger> {
  const template = await readFile(join(REPO_ROOT, 'deploy/jaeger/config.yaml'), 'utf8');
  const config = parse(template) as JaegerConfig;
  const [health, query, queryGrpc, grpc, http] = await freePorts(5);
  config.extensions.healthcheckv2.http.endpoint = `127.0.0.1:${health}`;
  config.extensions.jaeger_query.http.endpoint = `127.0.0.1:${query}`;
  config.extensions.jaeger_query.grpc.endpoint = `127.0.0.1:${queryGrpc}`;
  config.receivers.otlp.protocols.grpc.endpoint = `127.0.0.1:${grpc}`;
  config.receivers.otlp.protocols.http.endpoint = `127.0.0.1:${http}`;
  // Jaeger's own metrics default to port 8888; off, so parallel peers never collide.
  config.service.telemetry = { ...config.service.telemetry, metrics: { level: 'none' } };
  const configFile = join(dir, 'jaeger.yaml');
  await writeFile(configFile, stringify(config));

  const peer = startPeerProcess('jaeger', peerBinaries.jaeger(), ['--config', configFile], {
    cwd: dir,
    logFile: join(dir, 'jaeger.log'),
  });
  try {
    await waitFor(
      async () => {
        if (peer.exited()) throw new GiveUp(`jaeger exited`);
        return httpOk(`http://127.0.0.1:${health}/status`);
      },
      { what: 'the Jaeger health check' },
    );
  } catch (error) {
    await peer.stop();
    throw new Error(`${(error as Error).message}\n--- jaeger output ---\n${peer.output()}`);
  }
  return {
    process: peer,
    otlpHttpUrl: `http://127.0.0.1:${http}`,
    otlpGrpcEndpoint: `127.0.0.1:${grpc}`,
    queryUrl: `http://127.0.0.1:${query}`,
    stop: () => peer.stop(),
  };
}
