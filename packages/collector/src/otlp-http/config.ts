import type { Signal } from '@otelspool/exporter-jsonl';

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
  try {
    // Appended to the path, so a query string (some gateways want one) stays a query string.
    const u = new URL(base);
    if (u.search || u.hash) {
      u.pathname = `${u.pathname.replace(/\/+$/, '')}/${SIGNAL_PATH[signal]}`;
      return u.toString();
    }
  } catch {
    // not a URL: the request reports it
  }
  return `${base.replace(/\/+$/, '')}/${SIGNAL_PATH[signal]}`;
}

/** How a `--endpoint` URL would be used, judged from its path. */
export type EndpointShape =
  /** A base URL (no path, or a prefix like `/otlp`): `/v1/<signal>` is appended. */
  | { kind: 'base' }
  /** A full per-signal URL (`…/v1/traces`): used as is, for that signal only. */
  | { kind: 'signal'; signal: Signal; base: string }
  /** A path that looks like some other API: appending `/v1/<signal>` would be wrong. */
  | { kind: 'unsupported'; explanation: string };

// A last path segment no OTLP base URL ends with, but other tracing APIs do (/api/traces,
// /api/v2/spans, /v1/trace).
const SIGNALISH_SEGMENT = /^(v\d+|api|traces?|spans?|metrics?|logs?)$/i;

/**
 * Classifies an endpoint URL by its path. OTLP/HTTP has two URL forms: a base URL
 * (OTEL_EXPORTER_OTLP_ENDPOINT) to which `/v1/traces`, `/v1/metrics`, `/v1/logs` are
 * appended, and full per-signal URLs (OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT) used as is.
 * A path like `/v1/trace` or `/api/traces` is neither, and would be posted to as
 * `/api/traces/v1/traces`: explained instead of sent to.
 */
export function endpointShape(url: string): EndpointShape {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { kind: 'unsupported', explanation: `not a URL: ${url}` };
  }
  const path = u.pathname.replace(/\/+$/, '');
  const full = /^(.*)\/v1\/(traces|metrics|logs)$/.exec(path);
  if (full) {
    const base = new URL(u.toString());
    base.pathname = full[1] || '/';
    return { kind: 'signal', signal: full[2] as Signal, base: base.toString().replace(/\/$/, '') };
  }
  const segments = path.split('/').filter(Boolean);
  const last = segments.at(-1) ?? '';
  if (SIGNALISH_SEGMENT.test(last)) {
    const root = `${u.protocol}//${u.host}`;
    return {
      kind: 'unsupported',
      explanation:
        `--endpoint ${url} has the path ${u.pathname}, which is neither a base URL nor /v1/<signal>. ` +
        `--endpoint is the OTLP/HTTP base URL (as OTEL_EXPORTER_OTLP_ENDPOINT): sync appends ` +
        `/v1/traces, /v1/metrics and /v1/logs to it, so this would post to ${signalUrl(url, 'traces')}. ` +
        `Use the base, e.g. --endpoint ${root} (the Collector's OTLP/HTTP receiver listens on :4318), ` +
        `or give one signal's full URL ending in /v1/traces, /v1/metrics or /v1/logs ` +
        `(as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and friends, which are used as is).`,
    };
  }
  return { kind: 'base' };
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
