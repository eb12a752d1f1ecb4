import { spanRows, type SpanRow } from './otlp-json.js';

/**
 * Jaeger v2's stable query API (api_v3 over HTTP). Parameter names are the ones Jaeger's
 * http_gateway.go reads: query.service_name, query.start_time_min/max (RFC 3339, required),
 * query.num_traces. Responses wrap OTLP/JSON TracesData in `result`; "nothing found" is a 404.
 */
export async function findTraces(
  queryUrl: string,
  serviceName: string,
  window: { min: Date; max: Date } = hourAroundNow(),
): Promise<SpanRow[]> {
  const params = new URLSearchParams({
    'query.service_name': serviceName,
    'query.start_time_min': window.min.toISOString(),
    'query.start_time_max': window.max.toISOString(),
    'query.num_traces': '100',
  });
  return getSpans(`${queryUrl}/api/v3/traces?${params.toString()}`);
}

export async function getTrace(queryUrl: string, traceId: string): Promise<SpanRow[]> {
  return getSpans(`${queryUrl}/api/v3/traces/${traceId}`);
}

export async function getServices(queryUrl: string): Promise<string[]> {
  const response = await fetch(`${queryUrl}/api/v3/services`, {
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`GET /api/v3/services: ${response.status}`);
  const body = (await response.json()) as { services?: string[] };
  return body.services ?? [];
}

async function getSpans(url: string): Promise<SpanRow[]> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (response.status === 404) {
    await response.body?.cancel();
    return [];
  }
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { result?: unknown };
  return spanRows(body.result === undefined ? [] : [body.result]);
}

function hourAroundNow(): { min: Date; max: Date } {
  const now = Date.now();
  return { min: new Date(now - 3_600_000), max: new Date(now + 3_600_000) };
}
