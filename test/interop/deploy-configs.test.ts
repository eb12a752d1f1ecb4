// The docker compose stack's files agree with each other and with what otelspool sends:
// docker-compose.yml is valid (Debian's docker-compose), the Collector config is valid for a real
// Collector of the image's version, Prometheus rules pass promtool (syntax and unit tests), and
// ports, endpoints, datasources and every metric name the dashboard and rules query line up.
// Loki and Grafana cannot run here, so their files are checked as files: the Loki service, its
// config (what OTLP ingest needs), the Loki datasource with its trace link, each LogQL panel.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED_SERIES } from './support/expect-in-prometheus.js';
import { ALL_SERIES_NAMES, TRANSLATED_METRICS } from './support/metric-names.js';
import { ensurePeers, peerBinaries, REPO_ROOT } from './support/peers.js';
import { runSpool } from './support/spool-cli.js';

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');
const yamlOf = <T>(path: string): T => parse(read(path)) as T;

interface ComposeService {
  image: string;
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  version?: unknown;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}
interface CollectorConfig {
  receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
  processors: Record<string, unknown>;
  exporters: Record<string, { endpoint?: string; metrics_endpoint?: string; path?: string }>;
  connectors: {
    'count/otelspool': { logs: Record<string, { conditions?: string[] }> };
    span_metrics: { namespace?: string; histogram: { unit: string } };
  };
  service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
}
interface PrometheusRules {
  groups: {
    name: string;
    rules: { record?: string; alert?: string; expr: string; labels?: Record<string, string> }[];
  }[];
}
interface Dashboard {
  templating: { list: { name: string; allValue?: string; datasource?: { uid: string } }[] };
  panels: {
    title: string;
    type: string;
    datasource?: { uid: string; type?: string };
    targets?: { expr?: string; datasource?: { uid: string } }[];
  }[];
}
interface LokiConfig {
  auth_enabled: boolean;
  server: { http_listen_port: number };
  common: { storage: { filesystem: { chunks_directory: string } }; path_prefix: string };
  schema_config: { configs: { store: string; object_store: string; schema: string }[] };
  limits_config: {
    allow_structured_metadata: boolean;
    reject_old_samples_max_age: string;
    retention_period: string;
  };
}
interface Datasource {
  uid: string;
  type: string;
  url: string;
  jsonData?: {
    derivedFields?: {
      name: string;
      matcherType?: string;
      matcherRegex: string;
      datasourceUid?: string;
      url: string;
    }[];
    tracesToLogsV2?: { datasourceUid: string; customQuery?: boolean; query?: string };
  };
}

const compose = yamlOf<Compose>('docker-compose.yml');
const collector = yamlOf<CollectorConfig>('deploy/otelcol/config.yaml');
const loki = yamlOf<LokiConfig>('deploy/loki/config.yaml');
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const portOf = (endpoint: string): number =>
  Number(new URL(endpoint.includes('://') ? endpoint : `tcp://${endpoint}`).port);
/** Host-side `host:container` bindings of a service, as "containerPort" → "127.0.0.1:hostPort". */
const published = (name: string): Map<number, string> =>
  new Map(
    (service(name).ports ?? []).map((spec) => {
      const parts = spec.split(':');
      return [Number(parts.at(-1)), parts.slice(0, -1).join(':')] as const;
    }),
  );
/** Container path a repository path is mounted at, for a service. */
const mountOf = (name: string, hostPath: string): string | undefined =>
  (service(name).volumes ?? [])
    .map((volume) => volume.split(':'))
    .find(([source]) => source === `./${hostPath}`)?.[1];

describe('docker-compose.yml', () => {
  beforeAll(() => ensurePeers('docker-compose'));

  it('is valid for docker-compose (`docker-compose config -q`)', () => {
    const result = spawnSync(
      peerBinaries.dockerCompose(),
      ['-f', 'docker-compose.yml', 'config', '-q'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('has no version key and pins every image by an explicit tag', () => {
    expect(compose.version).toBeUndefined();
    for (const [name, { image }] of Object.entries(compose.services)) {
      expect(image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(image, name).not.toMatch(/:latest$/);
    }
  });

  it('runs the Collector image of the version the interop suite builds and tests', () => {
    const manifest = yamlOf<{ dist: { version: string } }>(
      'test/interop/peers/otelcol-builder.yaml',
    );
    expect(service('otel-collector').image).toBe(
      `otel/opentelemetry-collector-contrib:${manifest.dist.version}`,
    );
  });

  it('publishes OTLP 4317/4318, Jaeger 16686, Prometheus 9090, Loki 3100 and Grafana 3000 on 127.0.0.1 only', () => {
    expect([...published('otel-collector')]).toEqual(
      expect.arrayContaining([
        [4317, '127.0.0.1:4317'],
        [4318, '127.0.0.1:4318'],
      ]),
    );
    expect(published('jaeger').get(16686)).toBe('127.0.0.1:16686');
    expect(published('prometheus').get(9090)).toBe('127.0.0.1:9090');
    expect(published('loki').get(3100)).toBe('127.0.0.1:3100');
    expect(published('grafana').get(3000)).toBe('127.0.0.1:3000');
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const port of svc.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('starts in order: backends healthy before the Collector and Grafana', () => {
    const waitsFor = (name: string) =>
      Object.fromEntries(
        Object.entries(service(name).depends_on ?? {}).map(([k, v]) => [k, v.condition]),
      );
    expect(waitsFor('otel-collector')).toEqual({
      jaeger: 'service_healthy',
      prometheus: 'service_healthy',
      loki: 'service_healthy',
    });
    expect(waitsFor('grafana')).toEqual({
      jaeger: 'service_healthy',
      prometheus: 'service_healthy',
      loki: 'service_healthy',
    });
    for (const svc of Object.values(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(svc.depends_on ?? {})) {
        if (condition === 'service_healthy') {
          expect(service(dependency).healthcheck?.test, dependency).toBeDefined();
        }
      }
    }
    expect(service('jaeger').healthcheck?.test.join(' ')).toContain(':13133/status');
    expect(service('prometheus').healthcheck?.test.join(' ')).toContain(':9090/-/ready');
    // The Loki image has no shell or wget since 3.6: its own `-health` client asks /ready.
    expect(service('loki').healthcheck?.test).toEqual(['CMD', '/usr/bin/loki', '-health']);
  });

  it('runs a pinned Loki 3 (3.5 or newer) as one process with the repository config', () => {
    const match = /^grafana\/loki:(\d+)\.(\d+)\.(\d+)$/.exec(service('loki').image);
    expect(match, service('loki').image).not.toBeNull();
    expect(Number(match?.[1])).toBe(3);
    expect(Number(match?.[2])).toBeGreaterThanOrEqual(5);
    const mount = mountOf('loki', 'deploy/loki/config.yaml');
    expect(service('loki').command).toEqual([`-config.file=${mount}`, '-target=all']);
    const data = (service('loki').volumes ?? []).find((v) => v.startsWith('loki-data:'));
    expect(data?.split(':')[1]).toBe(loki.common.path_prefix);
  });

  it('runs the Prometheus release the interop suite builds from source and tests', () => {
    ensurePeers('prometheus3');
    // `go install` stamps no version into the binary (`--version` is empty), but the module
    // version is in its build info. Prometheus' Go module path has no /v3, so v3.M.P is v0.3MM.P.
    const info = spawnSync('go', ['version', '-m', peerBinaries.prometheus()], {
      encoding: 'utf8',
    });
    const module = /\bmod\s+github\.com\/prometheus\/prometheus\s+v0\.3(\d\d)\.(\d+)\b/.exec(
      info.stdout,
    );
    expect(module, info.stdout + info.stderr).not.toBeNull();
    const release = `v3.${Number(module?.[1])}.${module?.[2] ?? ''}`;
    expect(service('prometheus').image).toBe(`prom/prometheus:${release}`);
  });

  it('mounts only files that exist in the repository', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const volume of svc.volumes ?? []) {
        const [source] = volume.split(':');
        if (source?.startsWith('./'))
          expect(existsSync(join(REPO_ROOT, source)), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes ?? {}), `${name}: ${volume}`).toContain(source);
      }
    }
  });
});

describe('deploy/otelcol/config.yaml', () => {
  it('is a valid configuration for a real Collector of the same version (`otelcol validate`)', () => {
    ensurePeers('collector');
    const result = spawnSync(
      peerBinaries.collector(),
      ['validate', `--config=${join(REPO_ROOT, 'deploy/otelcol/config.yaml')}`],
      {
        encoding: 'utf8',
      },
    );
    expect(result.stderr + result.stdout).not.toMatch(/error/i);
    expect(result.status).toBe(0);
  });

  it('listens for OTLP on 0.0.0.0:4317/4318, the ports compose publishes', () => {
    const { grpc, http } = collector.receivers.otlp.protocols;
    expect([grpc.endpoint, http.endpoint]).toEqual(['0.0.0.0:4317', '0.0.0.0:4318']);
    expect(published('otel-collector').has(portOf(grpc.endpoint))).toBe(true);
    expect(published('otel-collector').has(portOf(http.endpoint))).toBe(true);
  });

  it('sends traces to the Jaeger service on the OTLP/HTTP port Jaeger listens on', () => {
    const jaeger = yamlOf<{ receivers: { otlp: { protocols: { http: { endpoint: string } } } } }>(
      'deploy/jaeger/config.yaml',
    );
    const endpoint = new URL(collector.exporters['otlp_http/jaeger']?.endpoint ?? '');
    expect(endpoint.hostname).toBe('jaeger');
    expect(Number(endpoint.port)).toBe(portOf(jaeger.receivers.otlp.protocols.http.endpoint));
    expect(mountOf('jaeger', 'deploy/jaeger/config.yaml')).toBe(service('jaeger').command?.at(-1));
    expect(collector.service.pipelines.traces?.exporters).toContain('otlp_http/jaeger');
  });

  it("sends metrics to Prometheus' OTLP receiver, which compose enables", () => {
    const url = new URL(collector.exporters['otlp_http/prometheus']?.metrics_endpoint ?? '');
    expect(url.hostname).toBe('prometheus');
    expect(published('prometheus').has(Number(url.port))).toBe(true);
    expect(url.pathname).toBe('/api/v1/otlp/v1/metrics');
    expect(service('prometheus').command).toContain('--web.enable-otlp-receiver');
    expect(collector.service.pipelines.metrics?.exporters).toEqual(['otlp_http/prometheus']);
  });

  it("sends logs to Loki's OTLP endpoint (/otlp), on the port Loki listens on", () => {
    const url = new URL(collector.exporters['otlp_http/loki']?.endpoint ?? '');
    expect(url.hostname).toBe('loki');
    expect(Number(url.port)).toBe(loki.server.http_listen_port);
    expect(published('loki').has(Number(url.port))).toBe(true);
    // The exporter appends /v1/logs: records land at /otlp/v1/logs, Loki's OTLP path.
    expect(url.pathname).toBe('/otlp');
    expect(collector.service.pipelines.logs?.exporters).toEqual([
      'otlp_http/loki',
      'count/otelspool',
      'debug',
    ]);
    expect(Object.keys(collector.exporters)).not.toContain('file/logs');
  });

  it('derives the crash, session and event counters and span metrics the dashboard queries', () => {
    const counts = collector.connectors['count/otelspool'].logs;
    const derivedNames = TRANSLATED_METRICS.filter(
      (m) => m.source === 'collector count connector',
    ).map((m) => m.otel);
    expect(Object.keys(counts).sort()).toEqual(derivedNames.sort());
    expect(counts['otelspool.crashes']?.conditions).toEqual([
      'severity_number >= SEVERITY_NUMBER_FATAL',
    ]);
    expect(counts['otelspool.sessions']?.conditions).toEqual([
      'attributes["event.name"] == "session.start"',
    ]);
    // span_metrics' default namespace, unit ms: traces_span_metrics_duration_milliseconds_*.
    expect(collector.connectors.span_metrics.namespace).toBeUndefined();
    expect(collector.connectors.span_metrics.histogram.unit).toBe('ms');
  });
});

describe('deploy/loki/config.yaml', () => {
  it('has what OTLP ingest needs: structured metadata on a TSDB v13 schema', () => {
    expect(loki.limits_config.allow_structured_metadata).toBe(true);
    expect(loki.schema_config.configs.at(-1)).toMatchObject({
      store: 'tsdb',
      schema: 'v13',
      object_store: 'filesystem',
    });
    expect(
      loki.common.storage.filesystem.chunks_directory.startsWith(loki.common.path_prefix),
    ).toBe(true);
    expect(loki.auth_enabled).toBe(false);
  });

  it('accepts offline replay as far back as Prometheus does, and keeps it', () => {
    const prometheusWindow = yamlOf<{ storage: { tsdb: { out_of_order_time_window: string } } }>(
      'deploy/prometheus/prometheus.yml',
    ).storage.tsdb.out_of_order_time_window;
    expect(loki.limits_config.reject_old_samples_max_age).toBe(prometheusWindow);
    expect(parseInt(loki.limits_config.retention_period, 10)).toBeGreaterThan(
      parseInt(prometheusWindow, 10),
    );
  });
});

describe('spool sync default endpoint', () => {
  it('is the OTLP/HTTP port compose publishes (http://localhost:4318)', async () => {
    const help = await runSpool(['sync', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('http://localhost:4318');
    expect(published('otel-collector').get(4318)).toBe('127.0.0.1:4318');
  });
});

describe('Prometheus config and SLO rules', () => {
  const prometheus = yamlOf<{
    storage: { tsdb: { out_of_order_time_window: string } };
    otlp: { promote_resource_attributes: string[]; translation_strategy: string };
    rule_files: string[];
  }>('deploy/prometheus/prometheus.yml');
  const rules = yamlOf<PrometheusRules>('deploy/prometheus/rules/otelspool-slo.rules.yml');
  const days = (duration: string): number => {
    const match = /^(\d+)([dhm])$/.exec(duration);
    if (match === null) throw new Error(`unexpected duration ${duration}`);
    return (
      Number(match[1]) / ({ d: 1, h: 24, m: 1440 } as Record<string, number>)[match[2] ?? 'd']!
    );
  };

  it('accepts offline replay: a 30d out-of-order window, kept shorter than retention', () => {
    const window = days(prometheus.storage.tsdb.out_of_order_time_window);
    expect(window).toBe(30);
    const retention = service('prometheus').command?.find((c) =>
      c.startsWith('--storage.tsdb.retention.time='),
    );
    expect(days(retention?.split('=')[1] ?? '0d')).toBeGreaterThan(window);
  });

  it('promotes the resource attributes the dashboard groups by, with the standard name translation', () => {
    expect(prometheus.otlp.translation_strategy).toBe('UnderscoreEscapingWithSuffixes');
    expect(prometheus.otlp.promote_resource_attributes).toEqual(
      expect.arrayContaining(['service.name', 'host.name']),
    );
  });

  it('loads the rules directory compose mounts', () => {
    const mount = mountOf('prometheus', 'deploy/prometheus/rules');
    expect(prometheus.rule_files).toEqual([`${mount}/*.yml`]);
  });

  it('passes promtool: rule syntax and the burn-rate alert unit tests', () => {
    ensurePeers('prometheus');
    const check = spawnSync(
      peerBinaries.promtool(),
      ['check', 'rules', 'deploy/prometheus/rules/otelspool-slo.rules.yml'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      },
    );
    expect(check.stdout + check.stderr).toContain('SUCCESS: 34 rules found');
    expect(check.status).toBe(0);
    const test = spawnSync(
      peerBinaries.promtool(),
      ['test', 'rules', 'deploy/prometheus/tests/otelspool-slo.test.yml'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      },
    );
    expect(test.stdout + test.stderr).toContain('SUCCESS');
    expect(test.status).toBe(0);
  });

  it('has the Sloth layout per SLO: SLI windows, meta recordings, page and ticket alerts', () => {
    for (const slo of ['crash-free-sessions', 'span-errors']) {
      const id = `otelspool-${slo}`;
      const group = (kind: string) =>
        rules.groups.find((g) => g.name === `sloth-slo-${kind}-${id}`);
      expect(group('sli-recordings')?.rules.map((r) => r.labels?.sloth_window)).toEqual([
        '5m',
        '30m',
        '1h',
        '2h',
        '6h',
        '1d',
        '3d',
        '30d',
      ]);
      expect(group('meta-recordings')?.rules.map((r) => r.record)).toEqual([
        'slo:objective:ratio',
        'slo:error_budget:ratio',
        'slo:time_period:days',
        'slo:current_burn_rate:ratio',
        'slo:period_burn_rate:ratio',
        'slo:period_error_budget_remaining:ratio',
        'sloth_slo_info',
      ]);
      const alerts = group('alerts')?.rules ?? [];
      expect(alerts.map((a) => a.labels?.severity)).toEqual(['page', 'ticket']);
      // Multiwindow pairs and factors of the SRE workbook (and Sloth): page 14.4× 1h/5m,
      // 6× 6h/30m; ticket 3× 1d/2h, 1× 3d/6h.
      const pairs = (expr: string) =>
        [...expr.matchAll(/ratio_rate(\w+)\{[^}]*\} > \(([\d.]+) \*/g)].map(
          (m) => `${m[2]}@${m[1]}`,
        );
      expect(pairs(alerts[0]?.expr ?? '')).toEqual(['14.4@5m', '14.4@1h', '6@30m', '6@6h']);
      expect(pairs(alerts[1]?.expr ?? '')).toEqual(['3@2h', '3@1d', '1@6h', '1@3d']);
    }
  });

  it('measures the SLIs from series otelspool data produces', () => {
    const sliExprs = rules.groups
      .filter((g) => g.name.startsWith('sloth-slo-sli-'))
      .flatMap((g) => g.rules.map((r) => r.expr));
    const used = new Set(sliExprs.flatMap(metricNamesIn));
    for (const name of used) {
      if (!name.startsWith('slo:')) expect(ALL_SERIES_NAMES.has(name), name).toBe(true);
    }
    expect([...used].filter((n) => !n.startsWith('slo:')).sort()).toEqual([
      'otelspool_crashes_total',
      'otelspool_sessions_total',
      'traces_span_metrics_calls_total',
    ]);
  });
});

describe('Grafana provisioning', () => {
  const datasources = yamlOf<{ datasources: Datasource[] }>(
    'deploy/grafana/provisioning/datasources/datasources.yaml',
  ).datasources;
  const byUid = Object.fromEntries(datasources.map((d) => [d.uid, d]));
  const dashboard = JSON.parse(read('deploy/grafana/dashboards/otelspool.json')) as Dashboard;
  const queriesOf = (uid: string) =>
    dashboard.panels
      .filter((p) => p.datasource?.uid === uid)
      .flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''))
      .filter((e) => e !== '');
  // PromQL: the metric-name checks below apply to these only; LogQL panels are checked apart.
  const exprs = queriesOf('prometheus');
  const logPanel = (title: string) => {
    const found = dashboard.panels.find((p) => p.title === title);
    if (found === undefined) throw new Error(`no panel "${title}"`);
    expect(found.datasource?.uid, title).toBe('loki');
    return found;
  };
  const recorded = new Set(
    yamlOf<PrometheusRules>('deploy/prometheus/rules/otelspool-slo.rules.yml').groups.flatMap((g) =>
      g.rules.flatMap((r) => (r.record === undefined ? [] : [r.record])),
    ),
  );

  it('points the Prometheus, Jaeger and Loki datasources at the compose services and ports', () => {
    expect(byUid.prometheus).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    expect(byUid.jaeger).toMatchObject({ type: 'jaeger', url: 'http://jaeger:16686' });
    expect(byUid.loki).toMatchObject({ type: 'loki', url: 'http://loki:3100' });
    expect(published('prometheus').has(9090)).toBe(true);
    expect(published('jaeger').has(16686)).toBe(true);
    expect(published('loki').has(loki.server.http_listen_port)).toBe(true);
    expect(mountOf('grafana', 'deploy/grafana/provisioning')).toBe('/etc/grafana/provisioning');
  });

  it('links a log line to its trace in Jaeger (derived field on trace_id) and a span to its logs', () => {
    // OTLP ingest keeps the trace id as the structured-metadata field trace_id: matched by name.
    expect(byUid.loki?.jsonData?.derivedFields).toEqual([
      expect.objectContaining({
        name: 'trace_id',
        matcherType: 'label',
        matcherRegex: 'trace_id',
        datasourceUid: 'jaeger',
      }),
    ]);
    // `$$` in a provisioning file is a literal `$` (Grafana expands `$NAME` from its environment).
    expect(read('deploy/grafana/provisioning/datasources/datasources.yaml')).toContain(
      "url: '$${__value.raw}'",
    );
    const toLogs = byUid.jaeger?.jsonData?.tracesToLogsV2;
    expect(toLogs?.datasourceUid).toBe('loki');
    expect(toLogs?.query).toBe(
      '{service_name="$${__span.tags["service.name"]}"} | trace_id="$${__span.traceId}"',
    );
  });

  it('has the Loki panels from the LogQL cookbook queries, on the service variable', () => {
    // Loki refuses a selector whose only matcher can match "" (the "All" value `.*`); the
    // second matcher on service_name keeps each query valid for every choice.
    const all = dashboard.templating.list.find((v) => v.name === 'service')?.allValue;
    expect(all).toBe('.*');
    const selector = '{service_name=~"$service", service_name=~".+"}';
    const expr = (title: string) =>
      (logPanel(title).targets ?? []).map((t) => t.expr ?? '').join('\n');
    expect(logPanel('Error logs').type).toBe('logs');
    expect(expr('Error logs')).toBe(`${selector} | severity_text=~"ERROR|FATAL"`);
    expect(logPanel('Error logs per service (5m)').type).toBe('timeseries');
    expect(expr('Error logs per service (5m)')).toBe(
      `sum by (service_name) (count_over_time(${selector} | severity_text=~"ERROR|FATAL" [5m]))`,
    );
    expect(logPanel('Crashes (FATAL) with trace links').type).toBe('logs');
    expect(expr('Crashes (FATAL) with trace links')).toBe(`${selector} | severity_text="FATAL"`);
    expect(queriesOf('loki')).toHaveLength(3);
  });

  it('loads the dashboard from where compose mounts it, and opens it as the home dashboard', () => {
    const provider = yamlOf<{ providers: { options: { path: string } }[] }>(
      'deploy/grafana/provisioning/dashboards/otelspool.yaml',
    ).providers[0];
    const mount = mountOf('grafana', 'deploy/grafana/dashboards');
    expect(provider?.options.path).toBe(mount);
    expect(service('grafana').environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      `${mount}/otelspool.json`,
    );
  });

  it('uses only provisioned datasources', () => {
    const uids = new Set(datasources.map((d) => d.uid));
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(uids.has(panel.datasource?.uid ?? ''), panel.title).toBe(true);
      for (const target of panel.targets ?? [])
        expect(uids.has(target.datasource?.uid ?? ''), panel.title).toBe(true);
    }
  });

  it('queries only series otelspool data produces (standard translation) or the SLO rules record', () => {
    const names = new Set(exprs.flatMap(metricNamesIn));
    expect([...names].filter((n) => n.startsWith('slo:')).sort()).toEqual([
      'slo:current_burn_rate:ratio',
      'slo:period_error_budget_remaining:ratio',
    ]);
    expect(names.size).toBe(17);
    for (const name of names) {
      expect(ALL_SERIES_NAMES.has(name) || recorded.has(name), name).toBe(true);
    }
  });

  it('has the panels the issue asks for, on the right series', () => {
    const panel = (title: string) => {
      const found = dashboard.panels.find((p) => p.title === title);
      if (found === undefined) throw new Error(`no panel "${title}"`);
      return (found.targets ?? []).map((t) => t.expr ?? '').join('\n');
    };
    expect(panel('Crash rate')).toMatch(/otelspool_crashes_total.*\/.*otelspool_sessions_total/s);
    expect(panel('Crashes per host')).toMatch(
      /sum by \(host_name\) \(increase\(otelspool_crashes_total/,
    );
    expect(panel('Top events')).toMatch(
      /topk\(10, sum by \(event_name\) \(increase\(otelspool_events_total/,
    );
    expect(panel('Span latency p95')).toMatch(
      /histogram_quantile\(0\.95, sum by \(le, span_name\) \(rate\(traces_span_metrics_duration_milliseconds_bucket/,
    );
    // Per process, user + system summed over cpu.mode (what `spool report` shows), then averaged.
    expect(panel('CPU %')).toMatch(
      /100 \* avg by \(host_name\) \(sum without \(cpu_mode\) \(process_cpu_utilization_ratio/,
    );
    expect(panel('Records synced / failed requests')).toMatch(
      /otelspool_sync_records_sent_total[\s\S]*otelspool_sync_requests_failed_total/,
    );
  });
});

describe('the metric-name table', () => {
  it('is exactly what the Prometheus interop test finds in a real Prometheus', () => {
    expect(new Set(Object.keys(EXPECTED_SERIES))).toEqual(ALL_SERIES_NAMES);
  });
});

/** Metric names in a PromQL expression: identifiers followed by `{` or `[`, or recording rules. */
function metricNamesIn(expr: string): string[] {
  const names = new Set<string>();
  for (const match of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=[{[])/g)) {
    const name = match[1] ?? '';
    if (!['by', 'without', 'on', 'ignoring', 'group_left', 'group_right'].includes(name))
      names.add(name);
  }
  return [...names];
}
