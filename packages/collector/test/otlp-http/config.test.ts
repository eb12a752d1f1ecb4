import { describe, expect, it } from 'vitest';
import {
  destinationName,
  parseHeaderArgs,
  parseHeadersEnv,
  resolveDestinations,
} from '../../src/otlp-http/config.js';
import {
  backoffDelay,
  DEFAULT_RETRY,
  isRetryableStatus,
  parseRetryAfter,
} from '../../src/otlp-http/retry.js';

describe('endpoint and header configuration (OTLP exporter spec)', () => {
  it('appends /v1/<signal> to the base endpoint and uses per-signal endpoints as is', () => {
    const d = resolveDestinations(['traces', 'metrics', 'logs'], {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://prom:9090/api/v1/otlp/v1/metrics',
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc%20def,x=1',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x=2',
      },
    });
    expect(d.traces.url).toBe('http://collector:4318/v1/traces');
    expect(d.logs.url).toBe('http://collector:4318/v1/logs');
    expect(d.metrics.url).toBe('http://prom:9090/api/v1/otlp/v1/metrics');
    expect(d.traces.name).toBe(d.logs.name);
    expect(d.metrics.name).not.toBe(d.traces.name);
    expect(d.traces.headers).toEqual({ 'api-key': 'abc def', x: '1' });
    expect(d.metrics.headers).toEqual({ 'api-key': 'abc def', x: '2' });
  });

  it('defaults to http://localhost:4318 and lets --endpoint/--header win', () => {
    expect(resolveDestinations(['logs'], { env: {} }).logs.url).toBe(
      'http://localhost:4318/v1/logs',
    );
    const d = resolveDestinations(['logs'], {
      endpoint: 'https://vendor.example/otlp',
      headers: parseHeaderArgs(['x=cli']),
      env: {
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://ignored/v1/logs',
        OTEL_EXPORTER_OTLP_HEADERS: 'x=env',
      },
    });
    expect(d.logs.url).toBe('https://vendor.example/otlp/v1/logs');
    expect(d.logs.headers.x).toBe('cli');
    expect(() => parseHeaderArgs(['novalue'])).toThrow(TypeError);
    expect(parseHeadersEnv('bad,k=v')).toEqual({ k: 'v' });
  });

  it('derives file-safe destination names', () => {
    expect(destinationName('http://localhost:4318')).toBe('localhost_4318');
    expect(destinationName('https://a.b/c/d?x')).toBe('a.b_443_c_d');
  });
});

describe('retry policy (OTLP/HTTP spec)', () => {
  it('retries exactly 429, 502, 503, 504', () => {
    const retryable = [];
    for (let s = 400; s < 600; s++) if (isRetryableStatus(s)) retryable.push(s);
    expect(retryable).toEqual([429, 502, 503, 504]);
  });

  it('parses Retry-After in seconds and as an HTTP-date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    const o = { ...DEFAULT_RETRY, initialDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, o, () => 1)).toBe(100);
    expect(backoffDelay(3, o, () => 1)).toBe(400);
    expect(backoffDelay(3, o, () => 0)).toBe(200);
    expect(backoffDelay(10, o, () => 1)).toBe(1000);
  });
});
