import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TEXT_SCRUB_RULE_NAMES } from '../../src/internal.js';
import { renderGuideTable, RULE_DOCS, TABLE_BEGIN, TABLE_END } from './guide-table.js';

const GUIDE = fileURLToPath(new URL('../../../../TELEMETRY_GUIDE.md', import.meta.url));

describe("TELEMETRY_GUIDE.md's redaction table matches the code", () => {
  it('documents every free-text rule, and only those', () => {
    expect(Object.keys(RULE_DOCS).sort()).toEqual([...TEXT_SCRUB_RULE_NAMES].sort());
  });

  const guide = readFileSync(GUIDE, 'utf8');
  // Until the table is pasted into the guide there is nothing to compare; from then on any
  // change of the rules without the guide (or the reverse) fails here.
  it.skipIf(!guide.includes(TABLE_BEGIN))(
    'the guide holds the table generated from the lists',
    () => {
      const start = guide.indexOf(TABLE_BEGIN);
      const end = guide.indexOf(TABLE_END, start);
      expect(end).toBeGreaterThan(start);
      expect(guide.slice(start, end + TABLE_END.length)).toBe(renderGuideTable());
    },
  );

  it.runIf(process.env.PRINT_GUIDE_TABLE === '1')('print', () => {
    console.log(renderGuideTable());
  });
});
