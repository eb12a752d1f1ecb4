import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startCollector, type RunningCollector } from './collector.js';
import { freePort } from './free-port.js';
import { startJaeger, type RunningJaeger } from './jaeger.js';
import { REPO_ROOT } from './peers.js';
import { startPrometheus, type RunningPrometheus } from './prometheus.js';

/**
 * docker-compose.yml, run natively: Jaeger v2, Prometheus and the Collector with the compose
 * stack's own deploy/otelcol/config.yaml. Only what cannot be the same here is rewired:
 *   - listeners move to 127.0.0.1 on free ports, backends' hostnames to their local URLs;
 *   - Debian's Prometheus 2.42 has no OTLP ingest, so the Collector's `otlp_http/prometheus`
 *     exporter is swapped for `prometheus_remote_write` (same OTLP→Prometheus name translation),
 *     with resource attributes turned into labels as the compose Prometheus promotes them;
 *   - the logs file moves into the test's temp dir.
 * Connectors, processors and pipelines are the deployed ones, so the crash/session/event counts
 * and span metrics the Grafana dashboard and SLO rules query are produced here for real.
 */
export interface NativeStack {
  jaeger: RunningJaeger;
  prometheus: RunningPrometheus;
  collector: RunningCollector;
  /** The Collector's OTLP/HTTP endpoint, what `spool sync --endpoint` gets. */
  otlpHttpUrl: string;
  logsFile: string;
  stop(): Promise<void>;
}

interface DeployedCollectorConfig {
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

export async function startNativeStack(
  dir: string,
  extraReceivers: Record<string, Record<string, unknown>> = {},
): Promise<NativeStack> {
  await mkdir(dir, { recursive: true });
  const jaeger = await startJaeger(dir);
  let prometheus: RunningPrometheus | undefined;
  try {
    prometheus = await startPrometheus(dir);
    const config = parse(
      await readFile(join(REPO_ROOT, 'deploy/otelcol/config.yaml'), 'utf8'),
    ) as DeployedCollectorConfig;
    const httpPort = await freePort();
    config.receivers.otlp.protocols = { http: { endpoint: `127.0.0.1:${httpPort}` } };
    config.exporters['otlp_http/jaeger'] = { endpoint: jaeger.otlpHttpUrl };
    delete config.exporters['otlp_http/prometheus'];
    config.exporters.prometheus_remote_write = {
      endpoint: prometheus.remoteWriteUrl,
      resource_to_telemetry_conversion: { enabled: true },
    };
    const logsFile = join(dir, 'collector-logs.jsonl');
    config.exporters['file/logs'] = { ...config.exporters['file/logs'], path: logsFile };
    const metrics = config.service.pipelines.metrics;
    if (metrics === undefined)
      throw new Error('deploy/otelcol/config.yaml has no metrics pipeline');
    metrics.exporters = metrics.exporters.map((id) =>
      id === 'otlp_http/prometheus' ? 'prometheus_remote_write' : id,
    );
    // startCollector adds its own health_check on a free port.
    delete config.extensions;
    delete config.service.extensions;
    for (const [id, receiver] of Object.entries(extraReceivers)) {
      config.receivers[id] = receiver;
      const signal = id.split('/')[1] ?? '';
      const pipeline = config.service.pipelines[signal];
      if (pipeline === undefined) throw new Error(`no ${signal} pipeline for receiver ${id}`);
      pipeline.receivers.push(id);
    }
    const collector = await startCollector(dir, config);
    const stack: NativeStack = {
      jaeger,
      prometheus,
      collector,
      otlpHttpUrl: `http://127.0.0.1:${httpPort}`,
      logsFile,
      async stop() {
        await collector.stop();
        await Promise.all([jaeger.stop(), prometheus?.stop()]);
      },
    };
    return stack;
  } catch (error) {
    await Promise.all([jaeger.stop(), prometheus?.stop()]);
    throw error;
  }
}
