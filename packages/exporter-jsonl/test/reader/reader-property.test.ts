import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseOtlpJson, SIGNALS } from '../../src/index.js';
import {
  collect,
  removeSpool,
  segmentName,
  spanName,
  tempSpool,
  traceLine,
  writeSegment,
} from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = tempSpool();
});
afterEach(() => {
  removeSpool(dir);
});

/** A line's bytes: valid spans, cut-off spans, arbitrary JSON, text and bytes (no '\n'). */
const lineArbitrary = fc.oneof(
  fc.nat({ max: 1_000_000 }).map((n) => ({ valid: n, bytes: Buffer.from(traceLine(n)) })),
  fc.tuple(fc.nat({ max: 1000 }), fc.nat()).map(([n, cut]) => {
    const text = traceLine(n);
    return { valid: undefined, bytes: Buffer.from(text.slice(0, cut % (text.length - 1))) };
  }),
  fc
    .jsonValue()
    .map((v) => ({ valid: undefined, bytes: Buffer.from(JSON.stringify(v) ?? 'null') })),
  fc.string().map((s) => ({ valid: undefined, bytes: Buffer.from(s.replace(/\n/g, ' ')) })),
  fc.uint8Array({ maxLength: 300 }).map((a) => ({
    valid: undefined,
    bytes: Buffer.from(a.map((b) => (b === 0x0a ? 0x20 : b))),
  })),
);

describe('readSpool on arbitrary content', () => {
  it('yields exactly the valid lines and reports every other non-blank line: nothing lost', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lineArbitrary, { maxLength: 40 }), async (lines) => {
        removeSpool(dir);
        const content = Buffer.concat(lines.flatMap((l) => [l.bytes, Buffer.from('\n')]));
        writeSegment(dir, 'traces', segmentName(1), content);
        const malformed: number[] = [];
        const records = await collect(dir, {
          quarantine: false,
          onMalformed: (e) => malformed.push(e.line ?? -1),
        });
        const blank = (b: Buffer) => b.length === 0 || (b.length === 1 && b[0] === 0x0d);
        // A parseable line yields exactly one record, every other non-blank line one report.
        const expectedValid = lines
          .filter((l) => l.valid !== undefined)
          .map((l) => `span-${l.valid}`);
        expect(records.map(spanName).filter((n) => n !== undefined)).toEqual(expectedValid);
        expect(records.length + malformed.length).toBe(lines.filter((l) => !blank(l.bytes)).length);
        expect(new Set([...records.map((r) => r.line), ...malformed]).size).toBe(
          records.length + malformed.length,
        );
      }),
      { numRuns: 60 },
    );
  });

  it('parseOtlpJson never throws, whatever the text and signal', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SIGNALS),
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
        ),
        (signal, text) => {
          const result = parseOtlpJson(signal, text);
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
