import { describe, expect, it } from 'vitest';
import { CRASH_ATTRIBUTES, CRASH_SPAN_NAME } from '@otelspool/exporter-jsonl/internal';
import { createConsentGate, isCrashLog, isCrashSpan } from '../../src/processors/processors.js';
import type { Span, TracesData } from '@otelspool/exporter-jsonl';

const str = (v: string) => ({ stringValue: v });
const span = (over: Partial<Span>): Span => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  name: 'x',
  kind: 1,
  startTimeUnixNano: '1',
  endTimeUnixNano: '2',
  ...over,
});

describe('crash vocabulary shared by the crash handler and the crashes-only filter', () => {
  it("keeps the handler's crash span (otelspool.crash.* attributes)", () => {
    const crash = span({
      name: CRASH_SPAN_NAME,
      attributes: [
        { key: CRASH_ATTRIBUTES.reportId, value: str('r1') },
        { key: CRASH_ATTRIBUTES.signature, value: str('sig') },
      ],
    });
    expect(isCrashSpan(crash)).toBe(true);
  });

  it('keeps the span active at the crash (crash attributes on its exception event)', () => {
    const active = span({
      name: 'plugin.load',
      events: [
        {
          timeUnixNano: '2',
          name: 'exception',
          attributes: [{ key: CRASH_ATTRIBUTES.origin, value: str('uncaughtException') }],
        },
      ],
    });
    expect(isCrashSpan(active)).toBe(true);
  });

  it('does not take an ordinary span, or a lookalike crash.* attribute, for a crash', () => {
    expect(isCrashSpan(span({ attributes: [{ key: 'crash.id', value: str('x') }] }))).toBe(false);
    expect(
      isCrashSpan(span({ events: [{ timeUnixNano: '1', name: 'exception', attributes: [] }] })),
    ).toBe(false);
    expect(isCrashLog({ severityNumber: 17, attributes: [] })).toBe(false);
  });

  it('crashes-only consent passes the crash span', () => {
    const gate = createConsentGate(() => ({ state: 'granted', signals: 'crashes' }) as never);
    const data: TracesData = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                span({ name: 'GET /', spanId: '1111111111111111' }),
                span({
                  name: CRASH_SPAN_NAME,
                  attributes: [{ key: CRASH_ATTRIBUTES.reportId, value: str('r1') }],
                }),
              ],
            },
          ],
        },
      ],
    };
    const out = gate.process({ signal: 'traces', data, records: 2 } as never);
    expect(out?.records).toBe(1);
    expect(JSON.stringify(out?.data)).toContain(`"name":"${CRASH_SPAN_NAME}"`);
  });
});
