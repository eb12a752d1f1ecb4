import { expect } from 'vitest';
import { findTraces, getTrace } from './jaeger-query.js';
import type { SpoolFixture } from './spool-fixture.js';
import { waitFor } from './wait-for.js';

/**
 * Asserts that Jaeger holds exactly the fixture's traces: found by service through
 * /api/v3/traces, then each fetched by id through /api/v3/traces/{id} with every span, its parent,
 * attributes and status, and the crash span's `exception` event.
 */
export async function expectFixtureInJaeger(
  queryUrl: string,
  fixture: SpoolFixture,
): Promise<void> {
  // Ingestion is asynchronous (batch processor, storage): wait, bounded, until all spans show.
  const found = await waitFor(
    async () => {
      const spans = await findTraces(queryUrl, fixture.serviceName);
      return spans.length >= fixture.spans.length ? spans : undefined;
    },
    { what: `${fixture.spans.length} spans of ${fixture.serviceName} in Jaeger` },
  );
  expect(found).toHaveLength(fixture.spans.length);
  expect(found.map((s) => s.spanId).sort()).toEqual(fixture.spans.map((s) => s.spanId).sort());
  expect(new Set(found.map((s) => s.traceId))).toEqual(new Set(fixture.traceIds));

  for (const traceId of fixture.traceIds) {
    const spans = await getTrace(queryUrl, traceId);
    const expected = fixture.spans.filter((s) => s.traceId === traceId);
    expect(spans, `trace ${traceId}`).toHaveLength(expected.length);
    for (const want of expected) {
      const span = spans.find((s) => s.spanId === want.spanId);
      expect(span, `span ${want.name} ${want.spanId}`).toMatchObject({
        traceId,
        parentSpanId: want.parentSpanId,
        name: want.name,
        attributes: want.attributes,
        statusCode: want.statusCode,
      });
      expect(span?.events.map((e) => e.name)).toEqual(want.eventNames);
      expect(span?.resource['service.name']).toBe(fixture.serviceName);
    }
  }

  const crashed = found.filter((s) => s.statusCode === 2);
  expect(crashed.map((s) => s.name)).toEqual(['process_block']);
  expect(crashed[0]?.events).toEqual([
    expect.objectContaining({
      name: 'exception',
      attributes: expect.objectContaining({
        'exception.type': 'TypeError',
        'exception.message': 'Cannot read properties of undefined (reading "gain")',
      }),
    }),
  ]);
}
