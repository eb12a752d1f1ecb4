import { describe, expect, it } from 'vitest';
import { createTaggingProcessor } from '../../src/processors/processors.js';
import type { TracesData } from '@otelspool/exporter-jsonl';
import { tracesLine } from '../helpers/spool-fixtures.js';

describe('tagging processor', () => {
  it('sets resource attributes, replacing existing keys', () => {
    const tag = createTaggingProcessor({
      'service.name': 'renamed',
      'deployment.environment': 'qa',
    });
    const out = tag.process({ signal: 'traces', data: tracesLine(1), records: 1 });
    const attrs = (out?.data as TracesData).resourceSpans?.[0]?.resource?.attributes;
    expect(attrs).toEqual([
      { key: 'service.name', value: { stringValue: 'renamed' } },
      { key: 'deployment.environment', value: { stringValue: 'qa' } },
    ]);
  });
});
