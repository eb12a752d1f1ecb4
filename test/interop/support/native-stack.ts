import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startCollector, type RunningCollector } from './collector.js';
import { freePort } from './free-port.js';
import { startJaeger, type RunningJaeger } from './jaeger.js';
import { startLokiSink, type LokiSink } from './loki-sink.js';
import { REPO_ROOT } from './peers.js';
import {
  startPrometheus,
  type RunningPrometheus,
  type StartPrometheusOptions,
} from './prometheus.js';

/**
 * docker-compose.yml, run natively: Jaeger v2, Prometheus 3 and the Collector with the compose
 * stack's own deploy/otelcol/config.yaml, and Loki's OTLP boundary played by the product's own
 * receiver (support/loki-sink.ts; Loki itself cannot be built here). Only what cannot be the same
 * here is rewired: listeners move to 127.0.0.1 on free ports, and each exporter's `scheme://host:
 * port` (the compose service name) becomes the local peer's, keeping the deployed path
 * (/api/v1/otlp/v1/metrics for Prometheus, /otlp for Loki). Connectors, processors, exporters
 * and pipelines are the deployed ones, so the crash/session/event counts and span metrics the
 * Grafana dashboard and SLO rules query are produced here for real.
 */
export interface NativeStack {
  jaeger: RunningJaeger;
  prometheus: RunningPrometheus;
  loki: LokiSink;
  collector: RunningCollector;
  /** The Collector's OTLP/HTTP endpoint, what `spool sync --endpoint` gets. */
  otlpHttpUrl: string;
  /** The Collector config as run (after rewiring), for assertions. */
  collectorConfig: DeployedCollectorConfig;
  stop(): Promise<void>;
}

export interface DeployedCollectorConfig {
  receivers: Record<string, unknown> & {
    otlp: { protocols: { grpc?: unknown; http: { endpoint: string } } };
  };
  exporters: Record<string, Record<string, unknown>>;
  service: {
    extensions?: string[];
    telemetry?: unknown;
    pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
  };
  extensions?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface NativeStackOptions {
  /** Extra Collector receivers (`otlp_json_file/<signal>`), added to that signal's pipeline. */
  extraReceivers?: Record<string, Record<string, unknown>>;
  prometheus?: StartPrometheusOptions;
}

/**
 * `deployed` with its origin (the compose service `expectedHost`) replaced by `localOrigin`,
 * its path kept. Throws when the deployed URL does not name that service.
 */
export function rewire(deployed: unknown, expectedHost: string, localOrigin: string): string {
  const url = new URL(String(deployed));
  if (url.hostname !== expectedHost) {
    throw new Error(`deploy/otelcol/config.yaml: expected ${expectedHost} in ${String(deployed)}`);
  }
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${new URL(localOrigin).origin}${path}${url.search}`;
}

export async function startNativeStack(
  dir: string,
  options: NativeStackOptions = {},
): Promise<NativeStack> {
  await mkdir(dir, { recursive: true });
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const peer of started.reverse()) await peer.stop().catch(() => undefined);
  };
  try {
    const jaeger = await startJaeger(dir);
    started.push(jaeger);
    const prometheus = await startPrometheus(dir, options.prometheus);
    started.push(prometheus);
    const loki = await startLokiSink(join(dir, 'loki-sink-spool'));
    started.push(loki);

    const config = parse(
      await readFile(join(REPO_ROOT, 'deploy/otelcol/config.yaml'), 'utf8'),
    ) as DeployedCollectorConfig;
    const httpPort = await freePort();
    config.receivers.otlp.protocols = { http: { endpoint: `127.0.0.1:${httpPort}` } };
    const exporter = (id: string): Record<string, unknown> => {
      const found = config.exporters[id];
      if (found === undefined) throw new Error(`deploy/otelcol/config.yaml has no exporter ${id}`);
      return found;
    };
    const jaegerExporter = exporter('otlp_http/jaeger');
    jaegerExporter.endpoint = rewire(jaegerExporter.endpoint, 'jaeger', jaeger.otlpHttpUrl);
    const prometheusExporter = exporter('otlp_http/prometheus');
    prometheusExporter.metrics_endpoint = rewire(
      prometheusExporter.metrics_endpoint,
      'prometheus',
      prometheus.url,
    );
    const lokiExporter = exporter('otlp_http/loki');
    lokiExporter.endpoint = rewire(lokiExporter.endpoint, 'loki', loki.url);
    // startCollector adds its own health_check on a free port.
    delete config.extensions;
    delete config.service.extensions;
    for (const [id, receiver] of Object.entries(options.extraReceivers ?? {})) {
      config.receivers[id] = receiver;
      const signal = id.split('/')[1] ?? '';
      const pipeline = config.service.pipelines[signal];
      if (pipeline === undefined) throw new Error(`no ${signal} pipeline for receiver ${id}`);
      pipeline.receivers.push(id);
    }
    const collector = await startCollector(dir, config);
    started.push(collector);
    return {
      jaeger,
      prometheus,
      loki,
      collector,
      otlpHttpUrl: `http://127.0.0.1:${httpPort}`,
      collectorConfig: config,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
