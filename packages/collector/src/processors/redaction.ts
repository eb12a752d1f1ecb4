import { createHmac } from 'node:crypto';
import type {
  AnyValue,
  KeyValue,
  LogsData,
  MetricsData,
  OtlpData,
  Signal,
  TracesData,
} from '../otlp/types.js';
import { metricPoints } from '../otlp/records.js';
import { createScrubber, type ScrubberOptions } from './scrub.js';

/** Attribute key patterns: exact keys, or a `prefix.*` wildcard. */
export type KeyPattern = string;

export interface RedactionOptions extends ScrubberOptions {
  /** Per-install salt (consent.json) for HMAC-SHA256 of identifiers. Required. */
  salt: string;
  /** Keys whose values are kept verbatim (no hashing, no scrubbing). Wins over everything. */
  allowKeys?: KeyPattern[];
  /** Extra keys to drop entirely. */
  denyKeys?: KeyPattern[];
  /** Extra keys whose values are replaced by their salted HMAC. */
  hashKeys?: KeyPattern[];
  /** Scrub span names and span event names too (default true: names are often built from URLs/paths). */
  scrubNames?: boolean;
}

/** Identifiers replaced by a salted HMAC: still groupable (same host → same hash), not reversible. */
export const DEFAULT_HASH_KEYS: readonly KeyPattern[] = [
  'host.name',
  'host.id',
  'process.owner',
  'enduser.*',
  'user.*',
  'machine.id',
  'service.instance.id.host',
];

/** Keys dropped outright: command lines and environments carry secrets and paths. */
export const DEFAULT_DROP_KEYS: readonly KeyPattern[] = [
  'process.command_args',
  'process.command_line',
  'process.environment',
  'process.environment.*',
  'process.env.*',
  'env.*',
  'environment_variables',
  'environment_variables.*',
  'http.request.header.authorization',
  'http.request.header.cookie',
  'http.response.header.set-cookie',
  'http.request.header.proxy-authorization',
];

/** Key fragments that mark an env-like or secret-bearing attribute wherever they appear. */
const DROP_KEY_FRAGMENT =
  /(?:^|[._-])(?:env|environ|environment|password|passwd|secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|private[_-]?key|credentials?|cookie|authorization)(?:$|[._-])/i;

function compile(patterns: readonly KeyPattern[]): (key: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const p of patterns) {
    if (p.endsWith('.*')) prefixes.push(p.slice(0, -1));
    else exact.add(p);
  }
  return (key) => exact.has(key) || prefixes.some((prefix) => key.startsWith(prefix));
}

export interface Redactor {
  /** Returns a redacted copy; the input is not modified. */
  redact<T extends OtlpData>(signal: Signal, data: T): T;
  /** The free-text scrubber used for every string. */
  scrub(text: string): string;
  /** HMAC-SHA256(salt, value), hex, 32 chars. */
  hash(value: string): string;
}

/**
 * The redaction/anonymization processor: applied to every record before it leaves the
 * machine (sync, dry-run). Covers resource, scope, span, event, link, log, data point and
 * exemplar attributes (nested arrays/kvlists too), log bodies, span/event names, status
 * messages. Pure: same input and salt, same output.
 */
export function createRedactor(options: RedactionOptions): Redactor {
  if (!options.salt) throw new TypeError('redaction needs the per-install salt');
  const scrub = createScrubber(options);
  const isAllowed = compile(options.allowKeys ?? []);
  const isDenied = compile([...DEFAULT_DROP_KEYS, ...(options.denyKeys ?? [])]);
  const isHashed = compile([...DEFAULT_HASH_KEYS, ...(options.hashKeys ?? [])]);
  const scrubNames = options.scrubNames !== false;
  const salt = options.salt;

  const hash = (value: string): string =>
    createHmac('sha256', salt).update(value).digest('hex').slice(0, 32);

  const hashValue = (value: AnyValue | undefined): AnyValue | undefined => {
    if (!value) return value;
    if (value.arrayValue) {
      return {
        arrayValue: { values: (value.arrayValue.values ?? []).map((v) => hashValue(v) ?? {}) },
      };
    }
    if (value.kvlistValue) {
      return { kvlistValue: { values: (value.kvlistValue.values ?? []).map(hashKeyValue) } };
    }
    const raw =
      value.stringValue ??
      value.bytesValue ??
      (value.intValue !== undefined ? String(value.intValue) : undefined) ??
      (value.doubleValue !== undefined ? String(value.doubleValue) : undefined) ??
      (value.boolValue !== undefined ? String(value.boolValue) : undefined);
    return raw === undefined ? value : { stringValue: hash(raw) };
  };
  const hashKeyValue = (kv: KeyValue): KeyValue => ({ key: kv.key, value: hashValue(kv.value) });

  const scrubValue = (value: AnyValue | undefined): AnyValue | undefined => {
    if (!value) return value;
    if (value.stringValue !== undefined) {
      const s = scrub(value.stringValue);
      return s === value.stringValue ? value : { stringValue: s };
    }
    if (value.arrayValue) {
      return {
        arrayValue: { values: (value.arrayValue.values ?? []).map((v) => scrubValue(v) ?? {}) },
      };
    }
    if (value.kvlistValue) {
      return { kvlistValue: { values: attributes(value.kvlistValue.values) ?? [] } };
    }
    return value;
  };

  const attributes = (list: KeyValue[] | undefined): KeyValue[] | undefined => {
    if (!list) return list;
    const out: KeyValue[] = [];
    for (const kv of list) {
      const key = typeof kv.key === 'string' ? kv.key : String(kv.key);
      if (isAllowed(key)) {
        out.push(kv);
        continue;
      }
      if (isDenied(key) || DROP_KEY_FRAGMENT.test(key)) continue;
      if (isHashed(key)) {
        out.push({ key, value: hashValue(kv.value) });
        continue;
      }
      out.push({ key: scrub(key), value: scrubValue(kv.value) });
    }
    return out;
  };

  const withAttrs = <O extends { attributes?: KeyValue[] }>(obj: O | undefined): O | undefined =>
    obj && obj.attributes ? { ...obj, attributes: attributes(obj.attributes) } : obj;

  const name = (n: string | undefined): string | undefined =>
    n !== undefined && scrubNames ? scrub(n) : n;

  const traces = (data: TracesData): TracesData => ({
    ...data,
    resourceSpans: (data.resourceSpans ?? []).map((rs) => ({
      ...rs,
      resource: withAttrs(rs.resource),
      scopeSpans: (rs.scopeSpans ?? []).map((ss) => ({
        ...ss,
        scope: withAttrs(ss.scope),
        spans: (ss.spans ?? []).map((span) => ({
          ...span,
          name: name(span.name),
          attributes: attributes(span.attributes),
          events: span.events?.map((e) => ({
            ...e,
            name: name(e.name),
            attributes: attributes(e.attributes),
          })),
          links: span.links?.map((l) => ({ ...l, attributes: attributes(l.attributes) })),
          status:
            span.status && typeof span.status.message === 'string'
              ? { ...span.status, message: scrub(span.status.message) }
              : span.status,
        })),
      })),
    })),
  });

  const metrics = (data: MetricsData): MetricsData => ({
    ...data,
    resourceMetrics: (data.resourceMetrics ?? []).map((rm) => ({
      ...rm,
      resource: withAttrs(rm.resource),
      scopeMetrics: (rm.scopeMetrics ?? []).map((sm) => ({
        ...sm,
        scope: withAttrs(sm.scope),
        metrics: (sm.metrics ?? []).map((metric) => {
          const points = metricPoints(metric).map((p) => ({
            ...p,
            attributes: attributes(p.attributes),
            exemplars: p.exemplars?.map((ex) => ({
              ...ex,
              filteredAttributes: attributes(ex.filteredAttributes),
            })),
          }));
          const out = { ...metric, metadata: attributes(metric.metadata) };
          for (const kind of [
            'gauge',
            'sum',
            'histogram',
            'exponentialHistogram',
            'summary',
          ] as const) {
            const body = metric[kind];
            if (body) (out as Record<string, unknown>)[kind] = { ...body, dataPoints: points };
          }
          return out;
        }),
      })),
    })),
  });

  const logs = (data: LogsData): LogsData => ({
    ...data,
    resourceLogs: (data.resourceLogs ?? []).map((rl) => ({
      ...rl,
      resource: withAttrs(rl.resource),
      scopeLogs: (rl.scopeLogs ?? []).map((sl) => ({
        ...sl,
        scope: withAttrs(sl.scope),
        logRecords: (sl.logRecords ?? []).map((rec) => ({
          ...rec,
          body: scrubValue(rec.body),
          attributes: attributes(rec.attributes),
        })),
      })),
    })),
  });

  return {
    redact<T extends OtlpData>(signal: Signal, data: T): T {
      if (signal === 'traces') return traces(data as TracesData) as T;
      if (signal === 'metrics') return metrics(data as MetricsData) as T;
      return logs(data as LogsData) as T;
    },
    scrub,
    hash,
  };
}
