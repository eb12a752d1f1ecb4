import { lstat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SIGNALS, type Signal } from '../otlp/types.js';
import { parseSegmentName } from '../layout/segment-name.js';
import type { SegmentInfo } from './types.js';

const SEGMENT_FILE = /^[^.].*\.jsonl(\.gz)?$/;

/**
 * The readable segments of a spool: every `*.jsonl` / `*.jsonl.gz` file (hidden and `.tmp`
 * files excluded) under `<dir>/<signal>/`, per signal in the order asked, each signal's files
 * in lexical order, which for our writer's names is time order. Files written by other tools
 * (the Collector's file exporter) are included, with pid 0. A segment present both plain and
 * compressed (the writer is compressing it right now) is listed once, as the plain file, which
 * is complete until the writer deletes it. A missing spool or signal directory lists nothing.
 *
 * Entries and signal dirs are lstat'ed, not stat'ed: a symlink named like a segment (another
 * local user's `x.jsonl -> /dev/zero` or `-> /root/secret`) or a symlinked signal dir is not
 * part of the spool and is skipped, as are FIFOs, sockets and devices. A directory with a
 * segment's name is listed so that the reader reports it as unreadable instead of silently
 * ignoring it.
 */
export async function listSegments(
  dir: string,
  signals: readonly Signal[] = SIGNALS,
): Promise<SegmentInfo[]> {
  const root = resolve(dir);
  const out: SegmentInfo[] = [];
  for (const signal of signals) {
    const signalDir = join(root, signal);
    let names: string[];
    try {
      // A signal dir that is a symlink (`traces -> /root/victim-dir`, planted in a shared
      // spool) is not part of this spool: its files are not read, nor copied to quarantine.
      if (!(await lstat(signalDir)).isDirectory()) continue;
      names = await readdir(signalDir);
    } catch {
      continue; // missing or unreadable signal directory: nothing to list
    }
    const bySegment = new Map<string, string>();
    for (const name of names) {
      if (!SEGMENT_FILE.test(name)) continue;
      const compressed = name.endsWith('.gz');
      const segment = compressed ? name.slice(0, -3) : name;
      if (!compressed || !bySegment.has(segment)) bySegment.set(segment, name);
    }
    const segments = [...bySegment.keys()].sort();
    for (const segment of segments) {
      let name = bySegment.get(segment) as string;
      let file = join(signalDir, name);
      let size = 0;
      let mtimeMs = 0;
      try {
        let st;
        try {
          st = await lstat(file);
        } catch (err) {
          // Compressed between readdir and stat: the writer renames `x.jsonl.gz` into place
          // and then unlinks `x.jsonl`, so the segment is there under its gzip name.
          if (name.endsWith('.gz')) throw err;
          name = `${name}.gz`;
          file = join(signalDir, name);
          st = await lstat(file);
        }
        if (!st.isFile() && !st.isDirectory()) continue; // symlink, FIFO, socket, device
        size = st.size;
        mtimeMs = st.mtimeMs;
      } catch {
        continue; // deleted between readdir and stat (byte cap eviction)
      }
      const parsed = parseSegmentName(name);
      out.push({
        signal,
        file,
        segment,
        size,
        mtimeMs,
        compressed: name.endsWith('.gz'),
        pid: parsed?.pid ?? 0,
        startedAt: parsed ? compactUtcToMs(parsed.startedAt) : mtimeMs,
      });
    }
  }
  return out;
}

/** 20261124T092421123Z → ms since the epoch. */
function compactUtcToMs(compact: string): number {
  const iso =
    `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}T` +
    `${compact.slice(9, 11)}:${compact.slice(11, 13)}:${compact.slice(13, 15)}.${compact.slice(15, 18)}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
}
