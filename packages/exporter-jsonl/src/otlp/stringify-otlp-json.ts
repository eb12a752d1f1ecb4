/**
 * The one serializer for OTLP objects → OTLP/JSON text (a spool line, a sync request body, a
 * dry-run entry, `export --format otlp-json`, `tail --json`). Everything that writes OTLP/JSON
 * from objects goes through it; the SDK encoders build their text directly and apply the same
 * rules in `doubleJson` (encode-common.ts).
 *
 * Plain `JSON.stringify` is wrong for two kinds of double (proto3 JSON mapping, which OTLP/JSON
 * follows, and what the Collector's pdata writes and reads):
 * - NaN, +Infinity, -Infinity become `null` (read back as "absent": the value is lost, and an
 *   AnyValue `{"doubleValue":null}` turns into the empty value). They must be the strings
 *   "NaN", "Infinity", "-Infinity";
 * - -0 becomes `0` (the sign is lost). It must be `-0`.
 *
 * Speed: such values are rare, so one cheap walk looks for them first (over OTLP data, only the
 * fields that can hold a double) and, when there are none (nearly always), the text is plain
 * `JSON.stringify` (no replacer, which would cost a function call per value). Only a value that
 * holds one is stringified with the replacer below.
 */

/** `JSON.rawJSON` (V8 ≥ 11.4, Node ≥ 21): lets the replacer emit the literal `-0`. */
const rawJSON = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;
const NEGATIVE_ZERO: unknown = rawJSON ? rawJSON('-0') : 0;

/** Walks deeper than this are not searched: the replacer path is taken, correct at any depth. */
const MAX_SCAN_DEPTH = 200;

/** True for NaN, ±Infinity and -0: the numbers JSON.stringify would write wrongly. */
function isSpecialNumber(n: number): boolean {
  // n - n is NaN exactly for NaN and ±Infinity; 1 / -0 is -Infinity.
  return n - n !== 0 || (n === 0 && 1 / n < 0);
}

/**
 * Generic search: any number anywhere. Objects that are OTLP data (a TracesData / MetricsData /
 * LogsData, or one Resource* entry of them) are searched by the shape-aware walks below, which
 * only look at the fields that hold doubles and are several times cheaper than visiting every
 * key (the normalised data the reader and receiver produce cannot hold a number elsewhere:
 * every other numeric field is an integer, 64-bit ones are strings).
 */
function containsSpecialNumber(value: unknown, depth: number): boolean {
  if (typeof value === 'number') return isSpecialNumber(value);
  if (typeof value !== 'object' || value === null) return false;
  if (depth > MAX_SCAN_DEPTH) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'number') {
        if (isSpecialNumber(v)) return true;
      } else if (typeof v === 'object' && v !== null && containsSpecialNumber(v, depth + 1)) {
        return true;
      }
    }
    return false;
  }
  // Typed arrays and Buffers serialize through toJSON / as index maps; never OTLP doubles.
  if (ArrayBuffer.isView(value)) return false;
  const obj = value as Obj;
  const shaped = shapedSearch(obj);
  if (shaped !== undefined) return shaped;
  for (const key in obj) {
    const v = obj[key];
    if (typeof v === 'number') {
      if (isSpecialNumber(v)) return true;
    } else if (typeof v === 'object' && v !== null && containsSpecialNumber(v, depth + 1)) {
      return true;
    }
  }
  return false;
}

type Obj = Record<string, unknown>;

/** The shape-aware search when `obj` is recognisably OTLP data, else undefined. */
function shapedSearch(obj: Obj): boolean | undefined {
  let list: unknown;
  if ((list = obj.resourceSpans) !== undefined)
    return Array.isArray(list) ? some(list, resourceSpans) : undefined;
  if ((list = obj.resourceMetrics) !== undefined)
    return Array.isArray(list) ? some(list, resourceMetrics) : undefined;
  if ((list = obj.resourceLogs) !== undefined)
    return Array.isArray(list) ? some(list, resourceLogs) : undefined;
  if (obj.scopeSpans !== undefined) return resourceSpans(obj);
  if (obj.scopeMetrics !== undefined) return resourceMetrics(obj);
  if (obj.scopeLogs !== undefined) return resourceLogs(obj);
  return undefined;
}

function some(list: unknown, test: (item: Obj) => boolean): boolean {
  if (!Array.isArray(list)) return false;
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    if (typeof item === 'object' && item !== null && test(item as Obj)) return true;
  }
  return false;
}

function attributes(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  for (let i = 0; i < list.length; i++) {
    const kv: unknown = list[i];
    if (typeof kv === 'object' && kv !== null && anyValue((kv as Obj).value, 0)) return true;
  }
  return false;
}

function anyValue(v: unknown, depth: number): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const av = v as Obj;
  if (av.stringValue !== undefined) return false;
  const d = av.doubleValue;
  if (typeof d === 'number') return isSpecialNumber(d);
  if (depth > MAX_SCAN_DEPTH) return true;
  const array = av.arrayValue;
  if (typeof array === 'object' && array !== null) {
    const values = (array as Obj).values;
    if (Array.isArray(values)) {
      for (let i = 0; i < values.length; i++) if (anyValue(values[i], depth + 1)) return true;
    }
    return false;
  }
  const kvlist = av.kvlistValue;
  if (typeof kvlist === 'object' && kvlist !== null) {
    const values = (kvlist as Obj).values;
    if (Array.isArray(values)) {
      for (let i = 0; i < values.length; i++) {
        const kv: unknown = values[i];
        if (typeof kv === 'object' && kv !== null && anyValue((kv as Obj).value, depth + 1)) {
          return true;
        }
      }
    }
  }
  return false;
}

function envelope(
  r: Obj,
  scopesKey: string,
  legacyKey: string,
  scope: (s: Obj) => boolean,
): boolean {
  const resource = r.resource;
  if (
    typeof resource === 'object' &&
    resource !== null &&
    attributes((resource as Obj).attributes)
  ) {
    return true;
  }
  return some(r[scopesKey], scope) || some(r[legacyKey], scope);
}

function scopeAttributes(s: Obj): boolean {
  const scope = s.scope ?? s.instrumentationLibrary;
  return typeof scope === 'object' && scope !== null && attributes((scope as Obj).attributes);
}

const resourceSpans = (r: Obj): boolean =>
  envelope(
    r,
    'scopeSpans',
    'instrumentationLibrarySpans',
    (s) => scopeAttributes(s) || some(s.spans, span),
  );

function span(s: Obj): boolean {
  return (
    attributes(s.attributes) || some(s.events, withAttributes) || some(s.links, withAttributes)
  );
}

const withAttributes = (o: Obj): boolean => attributes(o.attributes);

const resourceLogs = (r: Obj): boolean =>
  envelope(
    r,
    'scopeLogs',
    'instrumentationLibraryLogs',
    (s) => scopeAttributes(s) || some(s.logRecords, logRecord),
  );

const logRecord = (l: Obj): boolean => anyValue(l.body, 0) || attributes(l.attributes);

const resourceMetrics = (r: Obj): boolean =>
  envelope(
    r,
    'scopeMetrics',
    'instrumentationLibraryMetrics',
    (s) => scopeAttributes(s) || some(s.metrics, metric),
  );

const METRIC_KINDS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

function metric(m: Obj): boolean {
  if (attributes(m.metadata)) return true;
  for (const kind of METRIC_KINDS) {
    const body = m[kind];
    if (typeof body === 'object' && body !== null && some((body as Obj).dataPoints, point)) {
      return true;
    }
  }
  return false;
}

/** Every double a data point of any kind can hold, plus its attributes and exemplars. */
function point(p: Obj): boolean {
  return (
    special(p.asDouble) ||
    special(p.sum) ||
    special(p.min) ||
    special(p.max) ||
    special(p.zeroThreshold) ||
    specialIn(p.explicitBounds) ||
    some(p.quantileValues, quantile) ||
    attributes(p.attributes) ||
    some(p.exemplars, exemplar)
  );
}

const quantile = (q: Obj): boolean => special(q.quantile) || special(q.value);
const exemplar = (e: Obj): boolean => special(e.asDouble) || attributes(e.filteredAttributes);

function special(v: unknown): boolean {
  return typeof v === 'number' && isSpecialNumber(v);
}

function specialIn(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  for (let i = 0; i < list.length; i++) if (special(list[i])) return true;
  return false;
}

function specialNumberReplacer(_key: string, value: unknown): unknown {
  if (typeof value !== 'number' || !isSpecialNumber(value)) return value;
  if (value !== value) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return NEGATIVE_ZERO;
}

/**
 * `value` (OTLP data, or any JSON value that holds OTLP data, such as a dry-run entry) → JSON
 * text on one line, with NaN / ±Infinity as "NaN" / "Infinity" / "-Infinity" and -0 as `-0`.
 * Otherwise identical to `JSON.stringify(value)` (same key order, no whitespace).
 */
export function stringifyOtlpJson(value: unknown): string {
  if (!containsSpecialNumber(value, 0)) return JSON.stringify(value);
  return JSON.stringify(value, specialNumberReplacer);
}
