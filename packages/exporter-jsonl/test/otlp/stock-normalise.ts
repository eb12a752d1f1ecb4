// Brings an OTLP/JSON object to a canonical form for comparing our encoding with the official
// @opentelemetry/otlp-transformer serializers: 64-bit integer fields as decimal strings (the
// transformer writes numbers, which the spec does not allow), and proto3 defaults (0, '',
// false, empty lists/objects) removed, since proto3 JSON lets an encoder omit them.
const INT64_FIELDS = new Set([
  'intValue',
  'asInt',
  'count',
  'zeroCount',
  'bucketCounts',
  'timeUnixNano',
  'startTimeUnixNano',
  'endTimeUnixNano',
  'observedTimeUnixNano',
]);

function isDefault(v: unknown): boolean {
  if (v === undefined || v === null || v === 0 || v === '' || v === false || v === '0') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

export function canonical(value: unknown, field = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, field));
  if (typeof value === 'number' && INT64_FIELDS.has(field)) return String(value);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const c = canonical(v, k);
    // AnyValue {} (an empty value) is kept inside arrays by the caller, dropped as a field.
    if (!isDefault(c)) out[k] = c;
  }
  return out;
}
