import type { Signal } from '../otlp/types.js';

export type OtlpProtocol = 'http/json' | 'http/protobuf';
export const DEFAULT_ENDPOINT = 'http://localhost:4318';

const SIGNAL_PATH: Record<Signal, string> = {
  traces: 'v1/traces',
  metrics: 'v1/metrics',
  logs: 'v1/logs',
};
const ENV_SIGNAL: Record<Signal, string> = { traces: 'TRACES', metrics: 'METRICS', logs: 'LOGS' };

/**
 * Parses an OTEL_EXPORTER_OTLP_HEADERS value: comma-separated `key=value`, values
 * URL-decoded (W3C Baggage-like format, per the OTel spec). Malformed entries are skipped.
 */
export function parseHeadersEnv(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    let v = part.slice(eq + 1).trim();
    try {
      v = decodeURIComponent(v);
    } catch {
      // keep the raw value
    }
    if (key) out[key] = v;
  }
  return out;
}

/** `--header k=v` list → record; throws TypeError for entries without '='. */
export function parseHeaderArgs(args: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new TypeError(`header must be key=value, got "${arg}"`);
    out[arg.slice(0, eq).trim()] = arg.slice(eq + 1).trim();
  }
  return out;
}

/** The base endpoint with `/v1/<signal>` appended (OTLP/HTTP spec for the non-signal variable). */
export function signalUrl(base: string, signal: Signal): string {
  return `${base.replace(/\/+$/, '')}/${SIGNAL_PATH[signal]}`;
}

export interface DestinationConfig {
  /** Cursor file name: `<dir>/sync/<name>.json`. */
  name: string;
  url: string;
  headers: Record<string, string>;
}

export interface ResolveEndpointOptions {
  /** Base endpoint (CLI --endpoint): wins over every environment variable. */
  endpoint?: string;
  /** Per-signal full URLs, used as is. */
  signalEndpoints?: Partial<Record<Signal, string>>;
  /** Extra headers (CLI --header), win over the environment. */
  headers?: Record<string, string>;
  /** Destination name for the base endpoint (CLI --name). */
  name?: string;
  env?: NodeJS.ProcessEnv;
}

/** A file-name-safe destination name from a URL: host_port[_path]. */
export function destinationName(url: string): string {
  let raw = url;
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    raw = `${u.hostname}_${port}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    // not a URL: sanitise as is
  }
  const cleaned = raw.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^[._]+|_+$/g, '');
  return cleaned.slice(0, 120) || 'default';
}

/**
 * Where each signal goes, per the OTLP exporter spec: per-signal endpoint (option, then
 * OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT) used as is; otherwise the base endpoint (option,
 * then OTEL_EXPORTER_OTLP_ENDPOINT, then http://localhost:4318) + `/v1/<signal>`.
 * An explicit `endpoint` option overrides the per-signal environment variables.
 */
export function resolveDestinations(
  signals: readonly Signal[],
  options: ResolveEndpointOptions = {},
): Record<Signal, DestinationConfig> {
  const env = options.env ?? process.env;
  const base = options.endpoint ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? DEFAULT_ENDPOINT;
  const commonHeaders = parseHeadersEnv(env.OTEL_EXPORTER_OTLP_HEADERS);
  const out = {} as Record<Signal, DestinationConfig>;
  for (const signal of signals) {
    const own =
      options.signalEndpoints?.[signal] ??
      (options.endpoint === undefined
        ? env[`OTEL_EXPORTER_OTLP_${ENV_SIGNAL[signal]}_ENDPOINT`]
        : undefined);
    const headers = {
      ...commonHeaders,
      ...parseHeadersEnv(env[`OTEL_EXPORTER_OTLP_${ENV_SIGNAL[signal]}_HEADERS`]),
      ...(options.headers ?? {}),
    };
    if (own) {
      out[signal] = { name: destinationName(own), url: own, headers };
    } else {
      out[signal] = {
        name: options.name ?? destinationName(base),
        url: signalUrl(base, signal),
        headers,
      };
    }
  }
  return out;
}
