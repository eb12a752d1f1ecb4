import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/report/error-info.js';
import {
  computeSignature,
  normalizeMessage,
  SIGNATURE_VERSION,
} from '../../src/report/signature.js';

const id = (s: string): string => s;

function errorWithStack(type: string, message: string, frames: string[]): Error {
  const err = new Error(message);
  err.name = type;
  err.stack = `${type}: ${message}\n` + frames.map((f) => `    at ${f}`).join('\n');
  return err;
}

describe('computeSignature', () => {
  it('ignores line/column numbers and the message when in-app frames exist', () => {
    const a = errorWithStack('TypeError', 'user 42 missing', [
      'load (/srv/app/src/a.js:10:5)',
      'main (/srv/app/src/b.js:3:1)',
    ]);
    const b = errorWithStack('TypeError', 'user 97 missing', [
      'load (/srv/app/src/a.js:99:1)',
      'main (/srv/app/src/b.js:8:2)',
    ]);
    const sa = computeSignature(describeError(a, id));
    expect(sa).toEqual(computeSignature(describeError(b, id)));
    expect(sa.version).toBe(SIGNATURE_VERSION);
    expect(sa.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('separates different types and different in-app call sites', () => {
    const base = computeSignature(
      describeError(errorWithStack('TypeError', 'x', ['load (/srv/app/src/a.js:1:1)']), id),
    ).id;
    expect(
      computeSignature(
        describeError(errorWithStack('RangeError', 'x', ['load (/srv/app/src/a.js:1:1)']), id),
      ).id,
    ).not.toBe(base);
    expect(
      computeSignature(
        describeError(errorWithStack('TypeError', 'x', ['save (/srv/app/src/a.js:1:1)']), id),
      ).id,
    ).not.toBe(base);
  });

  it('is stable across install locations (only the last path components count)', () => {
    const a = errorWithStack('E', 'm', ['load (/home/a/app/src/a.js:1:1)']);
    const b = errorWithStack('E', 'm', ['load (/opt/other/app/src/a.js:5:1)']);
    expect(computeSignature(describeError(a, id)).id).toBe(
      computeSignature(describeError(b, id)).id,
    );
  });

  it('falls back to the normalised message without frames', () => {
    const a = computeSignature({
      type: 'OOMError',
      message: 'heap out of memory at 0x7ffe12 after 312 ms',
      frames: [],
    });
    const b = computeSignature({
      type: 'OOMError',
      message: 'heap out of memory at 0xdeadbeef after 9 ms',
      frames: [],
    });
    expect(a.id).toBe(b.id);
  });
});

describe('normalizeMessage', () => {
  it('replaces uuids, hex, paths, urls and numbers', () => {
    expect(
      normalizeMessage(
        'job 3f2b8c1e-1a2b-4c3d-8e9f-0a1b2c3d4e5f failed at /home/bob/x/y.txt after 35 tries (0x1f, deadbeef99) see https://a.b/c',
      ),
    ).toBe('job <uuid> failed at <path> after <n> tries (<hex>, <hex>) see <url>');
  });
});
