import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import type { ExportResult, ItemBatch } from '../../src/pipeline/types.js';
import { logsLine } from '../helpers/spool-fixtures.js';

describe('pipeline batching', () => {
  it('packs items of one signal under the size cap and exports in order', async () => {
    const exported: ItemBatch[] = [];
    const pipeline = new Pipeline({
      processors: [],
      exporter: {
        name: 'memory',
        export: async (batch): Promise<ExportResult> => {
          exported.push(batch);
          return { status: 'success' };
        },
      },
      maxBatchBytes: 1000,
    });
    for (let i = 0; i < 10; i++)
      await pipeline.consume({ signal: 'logs', data: logsLine(i), records: 1 }, 300);
    await pipeline.flush();
    expect(exported.map((b) => b.items.length)).toEqual([3, 3, 3, 1]);
    expect(exported.reduce((a, b) => a + b.records, 0)).toBe(10);
  });
});
