/** One series of an instant-query result: its labels and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/**
 * GET /api/v1/query: an instant query at "now", or at `timeSec` (Unix seconds); throws on a
 * Prometheus error.
 */
export async function instantQuery(
  prometheusUrl: string,
  promql: string,
  timeSec?: number,
): Promise<Sample[]> {
  const params = new URLSearchParams({ query: promql });
  if (timeSec !== undefined) params.set('time', String(timeSec));
  const url = `${prometheusUrl}/api/v1/query?${params.toString()}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: {
      resultType: string;
      result: { metric: Record<string, string>; value: [number, string] }[];
    };
  };
  if (body.status !== 'success' || body.data === undefined) {
    throw new Error(
      `Prometheus query failed (${response.status}): ${body.error ?? 'no data'}: ${promql}`,
    );
  }
  if (body.data.resultType !== 'vector') {
    throw new Error(`expected a vector from ${promql}, got ${body.data.resultType}`);
  }
  return body.data.result.map(({ metric, value }) => ({ labels: metric, value: Number(value[1]) }));
}

/** Metric names (`__name__`) of every series matching `selector`. */
export async function seriesNames(prometheusUrl: string, selector: string): Promise<string[]> {
  const url = `${prometheusUrl}/api/v1/series?${new URLSearchParams({ 'match[]': selector }).toString()}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { status: string; data?: Record<string, string>[] };
  if (body.status !== 'success' || body.data === undefined) {
    throw new Error(`Prometheus series query failed (${response.status}) for ${selector}`);
  }
  return body.data.map((labels) => labels.__name__ ?? '');
}

/** One series of a range-query result: its labels and `[unixSeconds, value]` samples. */
export interface RangeSeries {
  labels: Record<string, string>;
  values: [number, number][];
}

/** GET /api/v1/query_range from `startSec` to `endSec` every `stepSec`; throws on an error. */
export async function rangeQuery(
  prometheusUrl: string,
  promql: string,
  startSec: number,
  endSec: number,
  stepSec: number,
): Promise<RangeSeries[]> {
  const params = new URLSearchParams({
    query: promql,
    start: String(startSec),
    end: String(endSec),
    step: String(stepSec),
  });
  const response = await fetch(`${prometheusUrl}/api/v1/query_range?${params.toString()}`, {
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: {
      resultType: string;
      result: { metric: Record<string, string>; values: [number, string][] }[];
    };
  };
  if (body.status !== 'success' || body.data === undefined) {
    throw new Error(`Prometheus range query failed (${response.status}): ${body.error ?? ''}`);
  }
  return body.data.result.map(({ metric, values }) => ({
    labels: metric,
    values: values.map(([t, v]) => [t, Number(v)]),
  }));
}

/**
 * Sum of a Prometheus self-metric (every label combination) from its own /metrics page: the
 * TSDB's counters of samples it appended or refused.
 */
export async function selfMetric(prometheusUrl: string, name: string): Promise<number> {
  const response = await fetch(`${prometheusUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  const text = await response.text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}
