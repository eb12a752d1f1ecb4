/**
 * Validation of report-partial snapshots read back from JSON. Snapshots come from an index file
 * on disk, which any process (or a bad disk) may have written: every field is checked before it
 * becomes accumulator state, and the first mismatch throws with the path of the bad field.
 */
export class SnapshotError extends Error {
  constructor(path: string, expected: string) {
    super(`invalid report partial: ${path} must be ${expected}`);
    this.name = 'SnapshotError';
  }
}

export function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SnapshotError(path, 'an object');
  return value as Record<string, unknown>;
}

export function arrayAt(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new SnapshotError(path, 'an array');
  return value;
}

export function numberAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new SnapshotError(path, 'a finite number');
  return value;
}

export function countAt(value: unknown, path: string): number {
  const n = numberAt(value, path);
  if (!Number.isSafeInteger(n) || n < 0) throw new SnapshotError(path, 'a non-negative integer');
  return n;
}

export function integerAt(value: unknown, path: string): number {
  const n = numberAt(value, path);
  if (!Number.isSafeInteger(n)) throw new SnapshotError(path, 'an integer');
  return n;
}

export function nullableNumberAt(value: unknown, path: string): number | null {
  return value === null ? null : numberAt(value, path);
}

export function stringAt(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new SnapshotError(path, 'a string');
  return value;
}

export function booleanAt(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new SnapshotError(path, 'a boolean');
  return value;
}

/** `[string, T]` pairs: how snapshots keep maps (in insertion order, which caps depend on). */
export function pairsAt<T>(
  value: unknown,
  path: string,
  item: (v: unknown, path: string) => T,
): [string, T][] {
  return arrayAt(value, path).map((entry, i) => {
    const pair = arrayAt(entry, `${path}[${i}]`);
    if (pair.length !== 2) throw new SnapshotError(`${path}[${i}]`, 'a [key, value] pair');
    return [stringAt(pair[0], `${path}[${i}][0]`), item(pair[1], `${path}[${i}][1]`)];
  });
}
