import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { encodeTraces } from '../../src/index.js';
import { encodeLogs, encodeLogsUtf8 } from '../../src/otlp/encode-logs.js';
import { encodeTracesUtf8 } from '../../src/otlp/encode-traces.js';
import { makeLogRecords, makeSpans } from './sdk-fixtures.js';
import { canonical } from './stock-normalise.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function spansOf(data: Json): Json[] {
  return data.resourceSpans.flatMap((rs: Json) => rs.scopeSpans.flatMap((ss: Json) => ss.spans));
}

describe('encodeTraces', () => {
  it('returns an empty string (no empty envelope) for no spans', () => {
    expect(encodeTraces([])).toBe('');
  });

  it('writes one line of OTLP/JSON TracesData per the spec', () => {
    const spans = makeSpans();
    const line = encodeTraces(spans);
    expect(line).not.toContain('\n');
    const data = JSON.parse(line) as Json;
    // one resource, two scopes, with scope name/version
    expect(data.resourceSpans).toHaveLength(1);
    const scopes = data.resourceSpans[0].scopeSpans.map((s: Json) => s.scope);
    expect(scopes).toEqual([{ name: 'scope-a', version: '0.1.0' }, { name: 'scope-b' }]);
    const byName = new Map(spansOf(data).map((s) => [s.name, s]));
    const root = byName.get('root')!;
    const child = byName.get('child')!;
    // ids lowercase hex; remote parent's uppercase id lowered; parent of child = root
    expect(root.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(root.parentSpanId).toBe('b7ad6b7169203331');
    expect(root.traceState).toBe('vendor=abc,other=1');
    expect(child.parentSpanId).toBe(root.spanId);
    expect(byName.get('internal')!.parentSpanId).toBeUndefined();
    // SpanKind is 0-based in the SDK, +1 in OTLP; INTERNAL (0) → 1
    expect(root.kind).toBe(2);
    expect(child.kind).toBe(3);
    expect(byName.get('internal')!.kind).toBe(1);
    // flags: W3C sampled bit + "has is_remote" (0x100) + "is_remote" (0x200) for a remote parent
    expect(root.flags).toBe(0x301);
    expect(child.flags).toBe(0x101);
    // 64-bit integers are decimal strings
    expect(root.startTimeUnixNano).toMatch(/^\d{19}$/);
    expect(BigInt(root.endTimeUnixNano) >= BigInt(root.startTimeUnixNano)).toBe(true);
    const attrs = Object.fromEntries(root.attributes.map((kv: Json) => [kv.key, kv.value]));
    expect(attrs.int).toEqual({ intValue: '42' });
    expect(attrs.negative).toEqual({ intValue: '-7' });
    expect(attrs.big).toEqual({ intValue: '1152921504606846976' });
    expect(attrs.double).toEqual({ doubleValue: 0.25 });
    expect(attrs.nan).toEqual({ doubleValue: 'NaN' });
    expect(attrs.inf).toEqual({ doubleValue: 'Infinity' });
    expect(attrs.bool).toEqual({ boolValue: false });
    expect(attrs.str).toEqual({ stringValue: 'a "quoted"\nline\u2028 é 🎛' });
    expect(attrs.ints).toEqual({
      arrayValue: { values: [{ intValue: '1' }, { intValue: '2' }, { intValue: '3' }] },
    });
    expect(attrs.mixedNulls).toEqual({
      arrayValue: { values: [{ stringValue: 'a' }, {}, { stringValue: 'b' }] },
    });
    // events, links, status
    expect(root.events.map((e: Json) => e.name)).toEqual(['cache.miss', 'no-attrs']);
    expect(root.events[0].timeUnixNano).toMatch(/^\d+$/);
    expect(child.links[0]).toMatchObject({ traceId: root.traceId, spanId: root.spanId });
    expect(child.status).toEqual({ code: 2, message: 'boom' });
    expect(byName.get('internal')!.status).toEqual({ code: 1 });
    // resource
    expect(data.resourceSpans[0].resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'encoder-test' },
    });
  });

  it('is semantically equal to the official JsonTraceSerializer output', () => {
    const spans = makeSpans();
    const stock = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)));
    const ours = JSON.parse(encodeTraces(spans));
    // The stock serializer writes NaN/Infinity doubles as null (JSON.stringify) and 2^60 as a
    // rounded number; compare everything else, and those values separately above.
    const dropLossy = (d: Json) => {
      for (const s of spansOf(d)) {
        s.attributes = (s.attributes ?? []).filter(
          (kv: Json) => !['nan', 'inf', 'big'].includes(kv.key),
        );
        // the transformer copies ids verbatim, so a propagated uppercase id stays uppercase;
        // OTLP/JSON wants lowercase hex, which is what we write
        if (s.parentSpanId) s.parentSpanId = String(s.parentSpanId).toLowerCase();
        s.traceId = String(s.traceId).toLowerCase();
        for (const link of s.links ?? []) link.traceId = String(link.traceId).toLowerCase();
      }
      return d;
    };
    expect(canonical(dropLossy(ours))).toEqual(canonical(dropLossy(stock)));
  });

  it('groups spans of different resources into separate ResourceSpans', () => {
    const a = makeSpans();
    const b = makeSpans();
    const data = JSON.parse(encodeTraces([...a, ...b])) as Json;
    expect(data.resourceSpans).toHaveLength(1); // same Resource object
    const otherResource = { ...a[0]!.resource, attributes: { x: 1 } };
    const other = a.map((s) => ({ ...s, spanContext: s.spanContext, resource: otherResource }));
    const mixed = JSON.parse(encodeTraces([...a, ...(other as unknown as typeof a)])) as Json;
    expect(mixed.resourceSpans).toHaveLength(2);
    expect(spansOf(mixed)).toHaveLength(a.length * 2);
  });

  it('encodes to the same bytes as UTF-8 as it encodes to text (what the exporters write)', async () => {
    const a = makeSpans();
    const otherResource = { ...a[0]!.resource, attributes: { x: 1, 'note.é': 'ünï✓😀 \uD800' } };
    const other = a.map((s) => ({ ...s, spanContext: s.spanContext, resource: otherResource }));
    const mixed = [...a, ...(other as unknown as typeof a), ...makeSpans()];
    for (const spans of [[], a.slice(0, 1), a, mixed]) {
      expect(encodeTracesUtf8(spans).equals(Buffer.from(encodeTraces(spans), 'utf8'))).toBe(true);
    }
    const logs = await makeLogRecords();
    expect(encodeLogsUtf8(logs).equals(Buffer.from(encodeLogs(logs), 'utf8'))).toBe(true);
    expect(encodeLogsUtf8([]).length).toBe(0);
  });
});
