/** One series of an instant-query result: its labels and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** GET /api/v1/query (instant query at "now"); throws on a Prometheus error. */
export async function instantQuery(prometheusUrl: string, promql: string): Promise<Sample[]> {
  const url = `${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`;
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
