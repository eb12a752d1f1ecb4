import { createHmac } from 'node:crypto';
import {
  METRIC_TYPES,
  type AnyValue,
  type DataPoint,
  type KeyValue,
  type LogsData,
  type Metric,
  type MetricsData,
  type MetricType,
  type OtlpData,
  type Signal,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import {
  createKeyClassifier,
  createSyncScrubber,
  type KeyPattern,
  type ScrubberPresetOptions,
} from '@otelspool/exporter-jsonl/internal';

// The rules themselves (which keys are kept, hashed, scrubbed or dropped; what free text loses)
// live in @otelspool/exporter-jsonl (privacy/), shared with the crash handler's capture-time
// scrubber: this file applies them to every part of an OTLP request.

export interface RedactionOptions extends ScrubberPresetOptions {
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
  const scrub = createSyncScrubber(options);
  const classify = createKeyClassifier({
    allowKeys: options.allowKeys ?? [],
    denyKeys: options.denyKeys ?? [],
    hashKeys: options.hashKeys ?? [],
  });
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
      const { action } = classify(key);
      if (action === 'keep') out.push(kv);
      else if (action === 'hash') out.push({ key, value: hashValue(kv.value) });
      else if (action === 'scrub') out.push({ key: scrub(key), value: scrubValue(kv.value) });
      // 'drop': secret-like, environment-like or listed keys never leave
    }
    return out;
  };

  const withAttrs = <O extends { attributes?: KeyValue[] }>(obj: O | undefined): O | undefined =>
    obj && obj.attributes ? { ...obj, attributes: attributes(obj.attributes) } : obj;

  const name = (n: string | undefined): string | undefined =>
    n !== undefined && scrubNames ? scrub(n) : n;

  // Redaction returns a copy (callers keep the original, e.g. a dead letter's resend), so the
  // three builders below map resource → scope → item themselves; the walkers of
  // @otelspool/exporter-jsonl visit in place.
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

  const point = <P extends DataPoint>(p: P): P => ({
    ...p,
    attributes: attributes(p.attributes),
    ...('exemplars' in p && p.exemplars
      ? {
          exemplars: p.exemplars.map((ex) => ({
            ...ex,
            filteredAttributes: attributes(ex.filteredAttributes),
          })),
        }
      : {}),
  });

  const metric = (m: Metric): Metric => {
    const out: Metric = { ...m, metadata: attributes(m.metadata) };
    // Every data field present, not only the first: a malformed metric carrying two must not
    // let the second one's points leave unredacted.
    for (const type of METRIC_TYPES) {
      const body = m[type];
      if (!body) continue;
      const points = (body.dataPoints ?? []) as readonly DataPoint[];
      (out as Record<MetricType, unknown>)[type] = { ...body, dataPoints: points.map(point) };
    }
    return out;
  };

  const metrics = (data: MetricsData): MetricsData => ({
    ...data,
    resourceMetrics: (data.resourceMetrics ?? []).map((rm) => ({
      ...rm,
      resource: withAttrs(rm.resource),
      scopeMetrics: (rm.scopeMetrics ?? []).map((sm) => ({
        ...sm,
        scope: withAttrs(sm.scope),
        metrics: (sm.metrics ?? []).map(metric),
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
