/** Number formatting shared by the terminal views (report, slo, check, incident). */

/** 0.9871 → `98.71 %`; null → `—`. */
export function formatPercent(fraction: number | null, digits = 2): string {
  return fraction === null || !Number.isFinite(fraction)
    ? '—'
    : `${(fraction * 100).toFixed(digits)} %`;
}

/** Milliseconds with a precision that suits the magnitude: `0.042 ms`, `3.1 ms`, `250 ms`, `1.25 s`. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(3)} ms`;
}

/** Bytes in binary units: `812 B`, `3.4 MiB`. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return i === 0 ? `${value} B` : `${value.toFixed(1)} ${units[i]}`;
}

/** 1234567 → `1,234,567` (fixed locale so output is the same on every machine). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatTime(unixMs: number | null): string {
  if (unixMs === null || !Number.isFinite(unixMs)) return '—';
  return new Date(unixMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

const SPARK_CHARS = '▁▂▃▄▅▆▇█';

/**
 * A one-line chart of values with Unicode block elements. Hand-written: the npm `sparkline`
 * packages are unmaintained for years and add nothing over these few lines. `min`/`max` fix the
 * scale (e.g. 0..100 for CPU %); by default the data's own range is used.
 */
export function sparkline(values: readonly number[], min?: number, max?: number): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return '';
  const lo = min ?? Math.min(...finite);
  const hi = max ?? Math.max(...finite);
  const span = hi - lo;
  return values
    .map((v) => {
      if (!Number.isFinite(v)) return ' ';
      const level = span > 0 ? Math.round(((v - lo) / span) * (SPARK_CHARS.length - 1)) : 0;
      return SPARK_CHARS[Math.max(0, Math.min(SPARK_CHARS.length - 1, level))];
    })
    .join('');
}
