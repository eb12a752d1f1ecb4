// Random spools for the partial-merge tests: OTLP-JSON lines of several services, versions and
// hosts across a few UTC hours. Durations are multiples of 1/64 ms and CPU values multiples of
// 1/8, so every float sum the report takes is exact and addition order cannot change it: the
// tests can then demand equality, not closeness.
import fc from 'fast-check';
import { readSpool, type SpoolRecord } from '@otelspool/exporter-jsonl';
import { appendLines, segmentName, T0 } from './report-fixture.js';

const SERVICES = ['api', 'web', 'worker'] as const;
const NS_PER_MS = 1_000_000n;

function attr(key: string, value: string): unknown {
  return { key, value: { stringValue: value } };
}

interface Origin {
  service: string;
  version: string;
  host: string;
  pid: number;
}

const originArb: fc.Arbitrary<Origin> = fc.record({
  service: fc.constantFrom(...SERVICES),
  version: fc.constantFrom('1.0.0', '1.1.0'),
  host: fc.constantFrom('h1', 'h2'),
  pid: fc.constantFrom(1, 2),
});

function resourceOf(o: Origin): unknown {
  return {
    attributes: [
      attr('service.name', o.service),
      attr('service.version', o.version),
      attr('host.name', o.host),
      { key: 'process.pid', value: { intValue: String(o.pid) } },
    ],
  };
}

/** Ms offsets from T0 across four hours, with a bias towards hour boundaries. */
const offsetArb = fc.oneof(
  fc.integer({ min: 0, max: 4 * 3_600_000 - 1 }),
  fc.integer({ min: 0, max: 4 }).map((h) => h * 3_600_000 + (h % 2 === 0 ? 0 : -1)),
);

const nsAt = (offsetMs: number): string => (BigInt(T0 + offsetMs) * NS_PER_MS).toString();

const spanArb = fc.record({
  name: fc.constantFrom('GET /a', 'GET /b', 'POST /c', 'db.query', ''),
  offset: offsetArb,
  // Duration in 1/64 ms steps (15 625 ns): exact as a float after the report's ns → ms.
  steps: fc.oneof(fc.integer({ min: 0, max: 64 * 50 }), fc.integer({ min: 0, max: 64 * 70_000 })),
  error: fc.boolean(),
});

const tracesArb = fc.record({
  origin: originArb,
  spans: fc.array(spanArb, { minLength: 1, maxLength: 6 }),
});

const logArb = fc.record({
  offset: offsetArb,
  event: fc.option(fc.constantFrom('app.start', 'click', 'checkout', 'crash.hint'), {
    nil: undefined,
  }),
  asAttribute: fc.boolean(),
});

const logsArb = fc.record({
  origin: originArb,
  logs: fc.array(logArb, { minLength: 1, maxLength: 5 }),
});

const metricsArb = fc.record({
  origin: originArb,
  cpu: fc.array(
    fc.record({
      offset: offsetArb,
      user: fc.integer({ min: 0, max: 8 }),
      system: fc.integer({ min: 0, max: 8 }),
    }),
    { maxLength: 3 },
  ),
  memory: fc.array(fc.record({ offset: offsetArb, value: fc.integer({ min: 1, max: 1e9 }) }), {
    maxLength: 3,
  }),
  written: fc.option(fc.record({ offset: offsetArb, value: fc.integer({ min: 0, max: 10_000 }) }), {
    nil: undefined,
  }),
  dropped: fc.option(
    fc.record({
      offset: offsetArb,
      value: fc.integer({ min: 0, max: 100 }),
      reason: fc.constantFrom('queue_full', 'too_large'),
      delta: fc.boolean(),
    }),
    { nil: undefined },
  ),
  evicted: fc.option(
    fc.record({
      offset: offsetArb,
      value: fc.integer({ min: 0, max: 500 }),
      shipped: fc.constantFrom('true', 'false'),
    }),
    { nil: undefined },
  ),
});

type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

export type LineSpec =
  | { signal: 'traces'; spec: ValueOf<typeof tracesArb> }
  | { signal: 'logs'; spec: ValueOf<typeof logsArb> }
  | { signal: 'metrics'; spec: ValueOf<typeof metricsArb> };

export const lineArb: fc.Arbitrary<LineSpec> = fc.oneof(
  tracesArb.map((spec) => ({ signal: 'traces' as const, spec })),
  logsArb.map((spec) => ({ signal: 'logs' as const, spec })),
  metricsArb.map((spec) => ({ signal: 'metrics' as const, spec })),
);

let spanSeq = 0;
function lineJson(line: LineSpec): unknown {
  if (line.signal === 'traces') {
    const { origin, spans } = line.spec;
    return {
      resourceSpans: [
        {
          resource: resourceOf(origin),
          scopeSpans: [
            {
              scope: { name: 'prop' },
              spans: spans.map((s) => {
                spanSeq++;
                const start = BigInt(T0 + s.offset) * NS_PER_MS;
                return {
                  traceId: spanSeq.toString(16).padStart(32, '0'),
                  spanId: spanSeq.toString(16).padStart(16, '0'),
                  name: s.name,
                  kind: 1,
                  startTimeUnixNano: start.toString(),
                  endTimeUnixNano: (start + BigInt(s.steps) * 15_625n).toString(),
                  status: s.error ? { code: 2, message: 'boom' } : {},
                };
              }),
            },
          ],
        },
      ],
    };
  }
  if (line.signal === 'logs') {
    const { origin, logs } = line.spec;
    return {
      resourceLogs: [
        {
          resource: resourceOf(origin),
          scopeLogs: [
            {
              scope: { name: 'prop' },
              logRecords: logs.map((l) => ({
                timeUnixNano: nsAt(l.offset),
                ...(l.event && !l.asAttribute ? { eventName: l.event } : {}),
                attributes: l.event && l.asAttribute ? [attr('event.name', l.event)] : [],
              })),
            },
          ],
        },
      ],
    };
  }
  const m = line.spec;
  const metrics: unknown[] = [];
  if (m.cpu.length > 0) {
    metrics.push({
      name: 'process.cpu.utilization',
      gauge: {
        dataPoints: m.cpu.flatMap((c) => [
          {
            timeUnixNano: nsAt(c.offset),
            asDouble: c.user / 8,
            attributes: [attr('cpu.mode', 'user')],
          },
          {
            timeUnixNano: nsAt(c.offset),
            asDouble: c.system / 8,
            attributes: [attr('cpu.mode', 'system')],
          },
        ]),
      },
    });
  }
  if (m.memory.length > 0) {
    metrics.push({
      name: 'process.memory.usage',
      gauge: {
        dataPoints: m.memory.map((p) => ({ timeUnixNano: nsAt(p.offset), asInt: String(p.value) })),
      },
    });
  }
  const counter = (
    name: string,
    p: { offset: number; value: number },
    temporality: 1 | 2,
    attributes: unknown[],
  ): unknown => ({
    name,
    sum: {
      aggregationTemporality: temporality,
      isMonotonic: true,
      dataPoints: [
        {
          startTimeUnixNano: nsAt(0),
          timeUnixNano: nsAt(p.offset),
          asInt: String(p.value),
          attributes,
        },
      ],
    },
  });
  if (m.written) metrics.push(counter('otelspool.spool.records.written', m.written, 2, []));
  if (m.dropped)
    metrics.push(
      counter('otelspool.spool.records.dropped', m.dropped, m.dropped.delta ? 1 : 2, [
        attr('reason', m.dropped.reason),
      ]),
    );
  if (m.evicted)
    metrics.push(
      counter('otelspool.spool.records.evicted', m.evicted, 2, [
        attr('shipped', m.evicted.shipped),
      ]),
    );
  return {
    resourceMetrics: [
      { resource: resourceOf(m.origin), scopeMetrics: [{ scope: { name: 'prop' }, metrics }] },
    ],
  };
}

/**
 * Writes the lines into segment files the way the writer names them, several lines per segment
 * (`perSegment`), one signal directory each; returns the records as the reader yields them.
 */
export async function writeSpool(
  dir: string,
  lines: readonly LineSpec[],
  perSegment: number,
): Promise<SpoolRecord[]> {
  const open: Partial<Record<LineSpec['signal'], { file: string; n: number }>> = {};
  for (const line of lines) {
    let seg = open[line.signal];
    if (!seg || seg.n >= perSegment) {
      seg = { file: segmentName(), n: 0 };
      open[line.signal] = seg;
    }
    appendLines(dir, line.signal, seg.file, [lineJson(line)]);
    seg.n++;
  }
  const records: SpoolRecord[] = [];
  for await (const r of readSpool(dir)) records.push(r);
  return records;
}

/** fast-check's seed: FC_SEED when given (to replay a failure), else random; always printed. */
export function propertySeed(label: string): number {
  const fromEnv = process.env.FC_SEED;
  const seed =
    fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : (Math.random() * 2 ** 31) | 0;
  console.log(`${label}: FC_SEED=${seed}`);
  return seed;
}
