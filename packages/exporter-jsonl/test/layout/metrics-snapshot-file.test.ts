import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  metricsSnapshotPath,
  readMetricsSnapshot,
  serializeMetricsSnapshot,
  writeFileAtomicSync,
  type MetricsSnapshot,
} from '../../src/internal.js';

const snapshot: MetricsSnapshot = {
  updatedAt: '2026-01-01T00:00:00.000Z',
  serviceName: 'svc',
  sessionId: 's1',
  metrics: {
    'http.requests': {
      type: 'sum',
      unit: '1',
      description: 'requests',
      monotonic: true,
      points: [{ attributes: { route: '/' }, time: '2026-01-01T00:00:00.000Z', value: 3 }],
    },
  },
  spool: { written: 1 },
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelspool-snapshot-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('metrics snapshot file', () => {
  it('reads back what serializeMetricsSnapshot wrote', () => {
    const text = serializeMetricsSnapshot(snapshot);
    expect(text.endsWith('\n')).toBe(true);
    writeFileAtomicSync(metricsSnapshotPath(dir), text, { fsync: false });
    expect(readMetricsSnapshot(dir)).toEqual(snapshot);
  });

  it('is undefined when missing, not JSON, or not shaped like a snapshot', () => {
    expect(readMetricsSnapshot(dir)).toBeUndefined();
    const path = metricsSnapshotPath(dir);
    for (const text of [
      '{oops',
      '[]',
      JSON.stringify({ ...snapshot, serviceName: 1 }),
      JSON.stringify({ ...snapshot, updatedAt: undefined }),
      JSON.stringify({ ...snapshot, metrics: null }),
    ]) {
      writeFileAtomicSync(path, text, { fsync: false });
      expect(readMetricsSnapshot(dir)).toBeUndefined();
    }
  });

  it('refuses a snapshot file another user could have written (group-writable)', () => {
    const path = metricsSnapshotPath(dir);
    writeFileSync(path, serializeMetricsSnapshot(snapshot));
    chmodSync(path, 0o620);
    expect(readMetricsSnapshot(dir)).toBeUndefined();
  });
});
