import type { HrTime } from '@opentelemetry/api';
import { hrTimeDuration } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Attribute marking a span that was still open when the process wrote its crash flush. */
export const UNFINISHED_SPAN_ATTRIBUTE = 'otelspool.span.unfinished';

/**
 * A read-only copy of a span that has not ended, ending `endTime`, marked unfinished. The live
 * span is not ended (the process may survive and end it normally), so nothing else changes.
 */
export function snapshotUnfinishedSpan(span: ReadableSpan, endTime: HrTime): ReadableSpan {
  const start = span.startTime;
  const end: HrTime =
    endTime[0] > start[0] || (endTime[0] === start[0] && endTime[1] >= start[1]) ? endTime : start;
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: start,
    endTime: end,
    status: span.status,
    attributes: { ...span.attributes, [UNFINISHED_SPAN_ATTRIBUTE]: true },
    links: span.links,
    events: span.events,
    duration: hrTimeDuration(start, end),
    ended: false,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}
