import { MAX_ANY_VALUE_DEPTH } from '@otelspool/exporter-jsonl/internal';

/**
 * Per-request caps on what an OTLP export request may carry, one set for JSON and protobuf.
 *
 * Why: a body under the byte limit can still describe millions of objects (20 MiB of `0a 00` is
 * 10 M empty ResourceSpans; 20 MB of `{},` is 6.6 M empty JSON objects), and materialising them
 * costs 50–140 bytes of heap and microseconds of event-loop time each. The receiver counts them
 * with a cheap pre-scan (protobuf wire format, JSON tokens) before any object is built and
 * refuses requests over these caps, so decoding memory stays a bounded multiple of the caps.
 *
 * The caps sit far above what real exporters send: the OTel SDKs batch 512 spans per request
 * and the Collector's batch processor 8,192; a 20 MiB body of realistic spans holds ~30–150 k.
 */
export interface RequestLimits {
  /** ResourceSpans / ResourceMetrics / ResourceLogs entries. */
  maxResources: number;
  /** ScopeSpans / ScopeMetrics / ScopeLogs entries, over all resources. */
  maxScopes: number;
  /** Spans + log records + metrics + data points, over the whole request. */
  maxItems: number;
  /**
   * Every object the decoder would build (JSON objects, protobuf messages: attributes, values,
   * events, links, exemplars…) plus every scalar element of an array (bucket counts, bounds).
   */
  maxNodes: number;
  /** AnyValue nesting (arrayValue / kvlistValue inside one another): the normaliser's limit. */
  maxAnyValueDepth: number;
}

export const DEFAULT_REQUEST_LIMITS: Readonly<RequestLimits> = Object.freeze({
  maxResources: 10_000,
  maxScopes: 10_000,
  maxItems: 100_000,
  maxNodes: 500_000,
  maxAnyValueDepth: MAX_ANY_VALUE_DEPTH,
});

/** What a pre-scan counted. */
export interface RequestCounts {
  resources: number;
  scopes: number;
  items: number;
  nodes: number;
}

/**
 * A request over one of the caps. `status` is 413 for counts (the request is too large in
 * content, like a body over the byte limit: not retryable as is) and 400 for nesting (the
 * request is invalid, exactly as the normaliser would say of the same data in JSON).
 */
export class RequestLimitError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413,
  ) {
    super(message);
    this.name = 'RequestLimitError';
  }
}

/** The message for AnyValue nesting, the same words the normaliser uses. */
export function anyValueDepthMessage(limits: RequestLimits): string {
  return `AnyValue nested deeper than ${limits.maxAnyValueDepth} levels`;
}

/** Throws RequestLimitError when a count is over its cap (checked as the scan goes). */
export function checkCounts(counts: RequestCounts, limits: RequestLimits): void {
  if (counts.resources > limits.maxResources)
    throw tooMany('resource entries', counts.resources, limits.maxResources);
  if (counts.scopes > limits.maxScopes)
    throw tooMany('scope entries', counts.scopes, limits.maxScopes);
  if (counts.items > limits.maxItems)
    throw tooMany('spans, log records, metrics and data points', counts.items, limits.maxItems);
  if (counts.nodes > limits.maxNodes)
    throw tooMany('values (objects and array elements)', counts.nodes, limits.maxNodes);
}

function tooMany(what: string, count: number, cap: number): RequestLimitError {
  return new RequestLimitError(
    `more than ${cap} ${what} (${count} counted so far): split it into smaller requests`,
    413,
  );
}
