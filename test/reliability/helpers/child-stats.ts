import type { LineChild } from './processes.js';

/** One `stats` line of the telemetry child (see fixtures/telemetry-child.mjs). */
export interface ChildStats {
  round: number;
  produced: number;
  stats: {
    written: { records: number; lines: number; bytes: number };
    dropped: Record<string, number>;
    bytesOnDisk: number;
  };
  loopMaxMs: number;
  loopP99Ms: number;
  rss: number;
  maxRss: number;
  /** Heap in use (after a forced full GC when the child runs with REL_FORCE_GC). */
  heapUsed: number;
}

export function parseStats(line: string): ChildStats {
  return JSON.parse(line.slice('stats '.length)) as ChildStats;
}

/** The latest stats line the child printed. */
export function latestStats(child: LineChild): ChildStats | undefined {
  for (let i = child.lines.length - 1; i >= 0; i--) {
    const line = child.lines[i]!;
    if (line.startsWith('stats ')) return parseStats(line);
  }
  return undefined;
}

/** Waits (bounded) for a stats line that satisfies `pred`, returns it. */
export async function waitForStats(
  child: LineChild,
  pred: (s: ChildStats) => boolean,
  timeoutMs: number,
): Promise<ChildStats> {
  const start = child.lines.length;
  const line = await child.waitForLine(
    (l) => l.startsWith('stats ') && child.lines.indexOf(l) >= start && pred(parseStats(l)),
    timeoutMs,
  );
  return parseStats(line);
}

export const totalDropped = (s: ChildStats): number =>
  Object.values(s.stats.dropped).reduce((a, b) => a + b, 0);
