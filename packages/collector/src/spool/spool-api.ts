import {
  listSegments as jsonlListSegments,
  normalizeOtlp as jsonlNormalizeOtlp,
  parseOtlpJson as jsonlParseOtlpJson,
  normalizeOtlpItems as jsonlNormalizeOtlpItems,
  readSpool as jsonlReadSpool,
  SpoolWriter,
  stringifyOtlpJson,
  type SegmentInfo,
  type ReadSpoolOptions,
} from '@otelspool/exporter-jsonl';
import type { OtlpData, Signal } from '../otlp/types.js';

// The collector's one touch point with the shared spool reader and writer
// (@otelspool/exporter-jsonl, ARCHITECTURE.md). It narrows their OTLP types to the
// collector's structural ones (src/otlp/types.ts), nothing else.

export type { SegmentInfo, ReadSpoolOptions };

/** The one OTLP object → OTLP/JSON text serializer (NaN/±Infinity as strings, -0 kept). */
export { stringifyOtlpJson };

export interface SpoolRecord {
  signal: Signal;
  file: string;
  segment: string;
  line: number;
  position: number;
  data: OtlpData;
}

/** What the receiver needs of a writer (SpoolWriter, or one shared with the caller). */
export interface SpoolWriterLike {
  append(signal: Signal, line: string, records: number): boolean;
  /** Resolves true once the line is on disk (SpoolWriter has it; optional for other writers). */
  write?(signal: Signal, line: string, records: number): Promise<boolean>;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function readSpool(dir: string, options?: ReadSpoolOptions): AsyncIterable<SpoolRecord> {
  return jsonlReadSpool(dir, options) as AsyncIterable<SpoolRecord>;
}

export function listSegments(dir: string, signals?: Signal[]): Promise<SegmentInfo[]> {
  return jsonlListSegments(dir, signals);
}

/** Validates and normalises an OTLP/JSON object; throws TypeError with a reason. */
export function normalizeOtlp(signal: Signal, value: unknown): OtlpData {
  return jsonlNormalizeOtlp(signal, value) as OtlpData;
}

/** What a tolerant parse or normalisation kept, and what it dropped (invalid items only). */
export type ItemsResult =
  | { ok: true; data: OtlpData; dropped?: { count: number; reason: string } }
  | { ok: false; reason: string };

/**
 * Parses and normalises OTLP/JSON text, exact for 64-bit integers written as JSON numbers.
 * With `dropInvalidItems`, an invalid span, data point or log record is dropped (and counted)
 * instead of failing the whole value.
 */
export function parseOtlpJson(
  signal: Signal,
  text: string,
  options?: { dropInvalidItems?: boolean },
): ItemsResult {
  return jsonlParseOtlpJson(signal, text, options) as ItemsResult;
}

/** Normalises decoded OTLP data item by item: invalid items are dropped and counted. */
export function normalizeOtlpItems(signal: Signal, value: unknown): ItemsResult {
  return jsonlNormalizeOtlpItems(signal, value) as ItemsResult;
}

export function createSpoolWriter(dir: string): SpoolWriterLike {
  return new SpoolWriter({ dir });
}
