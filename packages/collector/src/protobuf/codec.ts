import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import type { OtlpData, Signal } from '@otelspool/exporter-jsonl';
import { MAX_ANY_VALUE_DEPTH } from '@otelspool/exporter-jsonl/internal';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../receiver/request-limits.js';
import { scanRequest } from './wire-scan.js';

// OTLP protobuf encoding with protobufjs (maintained, pure JS) over the official
// opentelemetry-proto definitions vendored in ../../proto (same depth from src/ and dist/).
// The .proto files are parsed once, lazily, on first use.

const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto');

const FILES = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'google/rpc/status.proto',
];

const REQUEST_TYPE: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
};
const RESPONSE_TYPE: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
};
/** partial_success.rejected_<signal> field name, camelCase as protobufjs exposes it. */
export const REJECTED_FIELD: Record<Signal, string> = {
  traces: 'rejectedSpans',
  metrics: 'rejectedDataPoints',
  logs: 'rejectedLogRecords',
};

let root: protobuf.Root | undefined;

function getRoot(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  // google/protobuf/*.proto are bundled with protobufjs ("common" definitions).
  r.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') ? target : join(PROTO_DIR, target);
  r.loadSync(FILES, { keepCase: false });
  r.resolveAll();
  root = r;
  return r;
}

function type(name: string): protobuf.Type {
  return getRoot().lookupType(name);
}

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/**
 * Deep walk converting the OTLP id fields between their JSON form (hex) and protobuf bytes.
 * OTLP/JSON is the one place where bytes are hex, not base64 (spec: "trace and span ids are
 * hex-encoded"); every other bytes field (AnyValue.bytes_value) keeps proto3 JSON base64.
 */
function mapIds(value: unknown, convert: (v: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => mapIds(v, convert));
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = ID_KEYS.has(k) ? convert(v) : mapIds(v, convert);
  }
  return out;
}

const hexToBytes = (v: unknown): unknown => (typeof v === 'string' ? Buffer.from(v, 'hex') : v);

const bytesToHex = (v: unknown): unknown => {
  if (v instanceof Uint8Array)
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  return v;
};

/**
 * Message nesting protobufjs must allow for AnyValue nested MAX_ANY_VALUE_DEPTH levels: a level
 * is up to three messages (AnyValue → KeyValueList → KeyValue → AnyValue) under at most 8
 * envelope messages (request → resource → scope → metric → histogram → point → exemplar →
 * attribute). protobufjs's own default (100) refused such data long before JSON's 64 levels.
 */
const RECURSION_LIMIT = 12 + 3 * (MAX_ANY_VALUE_DEPTH + 1);

/**
 * Runs a synchronous protobufjs call with the recursion limit above. The limit is a protobufjs
 * global: it is set and restored around the call (nothing else runs in between), so other
 * protobufjs users in the process keep theirs.
 */
function withRecursionLimit<T>(fn: () => T): T {
  const util = protobuf.util as unknown as { recursionLimit: number };
  const savedUtil = util.recursionLimit;
  const savedReader = protobuf.Reader.recursionLimit;
  util.recursionLimit = Math.max(savedUtil, RECURSION_LIMIT);
  protobuf.Reader.recursionLimit = Math.max(savedReader, RECURSION_LIMIT);
  try {
    return fn();
  } finally {
    util.recursionLimit = savedUtil;
    protobuf.Reader.recursionLimit = savedReader;
  }
}

/** OTLP/JSON request object (hex ids, string int64) → ExportXServiceRequest bytes. */
export function encodeRequest(signal: Signal, data: OtlpData): Uint8Array {
  const t = type(REQUEST_TYPE[signal]);
  return withRecursionLimit(() => {
    const message = t.fromObject(mapIds(data, hexToBytes) as Record<string, unknown>);
    return t.encode(message).finish();
  });
}

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: Number,
  bytes: Buffer,
  defaults: false,
  arrays: false,
  oneofs: false,
};

/**
 * protobufjs's toObject output → OTLP/JSON bytes fields, in place (the tree is fresh, and a copy
 * would double the peak memory of a large request): the id fields become hex, every other
 * bytes field (AnyValue.bytes_value) proto3 JSON base64.
 */
function bytesToJsonInPlace(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = bytesToJsonInPlace(value[i]);
    return value;
  }
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    obj[k] = ID_KEYS.has(k) ? bytesToHex(obj[k]) : bytesToJsonInPlace(obj[k]);
  }
  return obj;
}

/**
 * ExportXServiceRequest bytes → OTLP/JSON-shaped object (hex ids, int64 as strings, enums as
 * integers). A wire pre-scan (wire-scan.ts) runs first and refuses, before any object is
 * built, a request over `limits` (RequestLimitError: too many entries, items or values, or
 * AnyValue nested too deep) or bytes protobufjs would read differently (MalformedProtobufError);
 * it also leaves out empty top-level envelopes. Throws on truncated or malformed input
 * (protobufjs raises RangeError/Error).
 */
export function decodeRequest(
  signal: Signal,
  bytes: Uint8Array,
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
): OtlpData {
  const scanned = scanRequest(signal, bytes, limits);
  const t = type(REQUEST_TYPE[signal]);
  return withRecursionLimit(() => {
    const message = t.decode(scanned.bytes);
    const obj = t.toObject(message, TO_OBJECT);
    return bytesToJsonInPlace(obj) as OtlpData;
  });
}

export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

/** ExportXServiceResponse with optional partial_success, as protobuf bytes. */
export function encodeResponse(signal: Signal, partial?: PartialSuccess): Uint8Array {
  const t = type(RESPONSE_TYPE[signal]);
  const obj = partial
    ? {
        partialSuccess: {
          [REJECTED_FIELD[signal]]: partial.rejected,
          errorMessage: partial.errorMessage,
        },
      }
    : {};
  return t.encode(t.fromObject(obj)).finish();
}

/** Decodes an ExportXServiceResponse; returns partial_success when present and non-empty. */
export function decodeResponse(signal: Signal, bytes: Uint8Array): PartialSuccess | undefined {
  const t = type(RESPONSE_TYPE[signal]);
  const obj = t.toObject(t.decode(bytes), { longs: Number, defaults: false }) as {
    partialSuccess?: Record<string, unknown>;
  };
  return partialFrom(signal, obj.partialSuccess);
}

/** partial_success from a decoded (JSON or protobuf) response body. */
export function partialFrom(signal: Signal, partial: unknown): PartialSuccess | undefined {
  if (!partial || typeof partial !== 'object') return undefined;
  const p = partial as Record<string, unknown>;
  const rawRejected = p[REJECTED_FIELD[signal]];
  const rejected = Number(rawRejected ?? 0);
  const errorMessage = typeof p.errorMessage === 'string' ? p.errorMessage : '';
  if ((!Number.isFinite(rejected) || rejected === 0) && errorMessage === '') return undefined;
  return { rejected: Number.isFinite(rejected) ? rejected : 0, errorMessage };
}

export interface RpcStatus {
  code: number;
  message: string;
}

/** google.rpc.Status, the body of OTLP/HTTP error responses, as protobuf bytes. */
export function encodeStatus(status: RpcStatus): Uint8Array {
  const t = type('google.rpc.Status');
  return t.encode(t.fromObject(status)).finish();
}

export function decodeStatus(bytes: Uint8Array): RpcStatus | undefined {
  try {
    const t = type('google.rpc.Status');
    const obj = t.toObject(t.decode(bytes), { defaults: true }) as {
      code?: number;
      message?: string;
    };
    return { code: obj.code ?? 0, message: obj.message ?? '' };
  } catch {
    return undefined;
  }
}
