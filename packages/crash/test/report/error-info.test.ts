import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/report/error-info.js';

const noScrub = (s: string): string => s;

describe('describeError', () => {
  it('follows the cause chain and stops at cycles', () => {
    const a = new Error('outer');
    const b = new TypeError('inner', { cause: a });
    (a as Error & { cause?: unknown }).cause = b;
    const info = describeError(a, noScrub);
    expect(info.type).toBe('Error');
    expect(info.cause?.type).toBe('TypeError');
    expect(info.cause?.cause).toMatchObject({ circular: true, message: '[circular]' });
    expect(() => JSON.stringify(info)).not.toThrow();
  });

  it('describes AggregateError members, including non-errors', () => {
    const agg = new AggregateError(
      [new RangeError('r1'), 'plain string', { code: 7 }],
      'all failed',
    );
    const info = describeError(agg, noScrub);
    expect(info.type).toBe('AggregateError');
    expect(info.errors?.map((e) => e.type)).toEqual(['RangeError', 'string', 'Object']);
    expect(info.errors?.[1]?.message).toBe('plain string');
    expect(info.errors?.[2]?.message).toContain('code: 7');
  });

  it('survives hostile objects: throwing getters and proxies', () => {
    const hostile = new Error('x');
    Object.defineProperty(hostile, 'message', {
      get: () => {
        throw new Error('nope');
      },
    });
    Object.defineProperty(hostile, 'cause', {
      get: () => {
        throw new Error('nope');
      },
    });
    const proxy = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
      },
    );
    expect(() => describeError(hostile, noScrub)).not.toThrow();
    expect(() => describeError(proxy, noScrub)).not.toThrow();
  });

  it('bounds depth of long cause chains', () => {
    let err: Error = new Error('0');
    for (let i = 1; i < 50; i++) err = new Error(String(i), { cause: err });
    let info = describeError(err, noScrub);
    let depth = 0;
    while (info.cause) {
      info = info.cause;
      depth++;
    }
    expect(depth).toBeLessThanOrEqual(8);
    expect(info.truncated).toBe(true);
  });

  it('keeps string and numeric codes and applies the scrubber to messages and stacks', () => {
    const err = Object.assign(new Error('open /home/alice/x failed'), { code: 'ENOENT' });
    const info = describeError(err, (s) => s.replaceAll('/home/alice', '~'));
    expect(info.code).toBe('ENOENT');
    expect(info.message).toBe('open ~/x failed');
    expect(info.stack).not.toContain('/home/alice');
  });
});
