import {
  findAttribute,
  scalarText,
  stringifyOtlpJson,
  type AnyValue,
  type KeyValue,
} from '@otelspool/exporter-jsonl';

/**
 * A log body as the text filters see: a string body as is, any other body (a number, a map,
 * an array, bytes) as its OTLP/JSON (`{"kvlistValue":…}`), no body as ''.
 */
export function bodyText(body: AnyValue | undefined): string {
  if (body === undefined) return '';
  if (body.stringValue !== undefined) return body.stringValue;
  return stringifyOtlpJson(body);
}

/** An attribute value as text: a scalar as written (int64 exact), anything else as OTLP/JSON. */
export function valueText(value: AnyValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  return scalarText(value) ?? stringifyOtlpJson(value);
}

/** The text of `key` in the record's attributes, else in the resource's; undefined when absent. */
export function recordOrResourceText(
  key: string,
  recordAttributes: readonly KeyValue[] | undefined,
  resourceAttributes: readonly KeyValue[] | undefined,
): string | undefined {
  return valueText(findAttribute(recordAttributes, key) ?? findAttribute(resourceAttributes, key));
}

/**
 * An attribute key as a Loki label name: every character outside `[a-zA-Z0-9_]` becomes `_`
 * (`service.name` → `service_name`), as Loki's OTLP ingest names resource attributes and
 * structured metadata (https://grafana.com/docs/loki/latest/send-data/otel/).
 */
export function labelName(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** Attributes as label name → text; the first of several keys that map to one name wins. */
export function labelMap(attributes: readonly KeyValue[] | undefined): Map<string, string> {
  const labels = new Map<string, string>();
  for (const kv of attributes ?? []) {
    const name = labelName(kv.key);
    if (!labels.has(name)) labels.set(name, valueText(kv.value) ?? '');
  }
  return labels;
}

/** An AnyValue as plain JSON (map → object, array → array, int64 → number when exact). */
export function plainValue(value: AnyValue | undefined): unknown {
  if (value === undefined) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : value.intValue;
  }
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plainValue);
  if (value.kvlistValue !== undefined) {
    const out: Record<string, unknown> = {};
    for (const kv of value.kvlistValue.values ?? []) out[kv.key] = plainValue(kv.value);
    return out;
  }
  if (value.bytesValue !== undefined) return value.bytesValue;
  return null;
}

/**
 * The top-level fields `| json` extracts from a body, as label name → text: a map body's
 * entries, or the members of a string body that is a JSON object. Nested values are their
 * JSON text; null is ''. Anything else extracts nothing.
 */
export function jsonBodyFields(body: AnyValue | undefined): Map<string, string> {
  const fields = new Map<string, string>();
  let object: unknown;
  if (body?.kvlistValue !== undefined) object = plainValue(body);
  else if (body?.stringValue !== undefined && body.stringValue.trimStart().startsWith('{')) {
    try {
      object = JSON.parse(body.stringValue);
    } catch {
      return fields;
    }
  }
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return fields;
  for (const [key, value] of Object.entries(object as Record<string, unknown>)) {
    const text =
      value === null
        ? ''
        : typeof value === 'string'
          ? value
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value);
    fields.set(labelName(key), text);
  }
  return fields;
}
