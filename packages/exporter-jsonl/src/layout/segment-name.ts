import { compactIsoTime } from './spool-layout.js';
import { randomBytes } from 'node:crypto';

/**
 * Segment file names: `<YYYYMMDDTHHMMSSmmmZ>_<pid>_<rand4hex>_<seq6>.jsonl`, so that a lexical
 * sort is a time sort across every process sharing the spool, and two writers (even in one
 * process) never pick the same name.
 */
export const SEGMENT_NAME = /^(\d{8}T\d{9}Z)_(\d+)_([0-9a-f]{4})_(\d{6,})\.jsonl(\.gz)?$/;

export interface ParsedSegmentName {
  startedAt: string;
  pid: number;
  writerId: string;
  seq: number;
  compressed: boolean;
}

export function parseSegmentName(name: string): ParsedSegmentName | undefined {
  const m = SEGMENT_NAME.exec(name);
  if (!m) return undefined;
  return {
    startedAt: m[1] as string,
    pid: Number(m[2]),
    writerId: m[3] as string,
    seq: Number(m[4]),
    compressed: m[5] !== undefined,
  };
}

/** 2026-11-24T09:24:21.123Z → 20261124T092421123Z */
export function compactUtc(date: Date): string {
  return compactIsoTime(date.toISOString());
}

export function newWriterId(): string {
  return randomBytes(2).toString('hex');
}

export function segmentFileName(date: Date, pid: number, writerId: string, seq: number): string {
  return `${compactUtc(date)}_${pid}_${writerId}_${String(seq).padStart(6, '0')}.jsonl`;
}
