import { describe, expect, it } from 'vitest';
import { rejectionIsFatal, unhandledRejectionsMode } from '../../src/capture/rejection-mode.js';

describe('unhandledRejectionsMode', () => {
  it('defaults to throw', () => {
    expect(unhandledRejectionsMode([], undefined)).toBe('throw');
    expect(unhandledRejectionsMode(['--max-old-space-size=64'], '--inspect')).toBe('throw');
  });

  it('reads both flag spellings; command line wins over NODE_OPTIONS; last wins', () => {
    expect(unhandledRejectionsMode(['--unhandled-rejections=warn'], undefined)).toBe('warn');
    expect(unhandledRejectionsMode(['--unhandled-rejections', 'none'], undefined)).toBe('none');
    expect(unhandledRejectionsMode([], '--foo "--unhandled-rejections=strict"')).toBe('strict');
    expect(
      unhandledRejectionsMode(
        ['--unhandled-rejections=warn-with-error-code'],
        '--unhandled-rejections=strict',
      ),
    ).toBe('warn-with-error-code');
    expect(
      unhandledRejectionsMode(
        ['--unhandled-rejections=warn', '--unhandled-rejections=strict'],
        undefined,
      ),
    ).toBe('strict');
    expect(unhandledRejectionsMode(['--unhandled-rejections=bogus'], undefined)).toBe('throw');
  });

  it('knows which modes kill the process', () => {
    expect(
      ['throw', 'strict', 'warn', 'none', 'warn-with-error-code'].map((m) =>
        rejectionIsFatal(m as never),
      ),
    ).toEqual([true, true, false, false, false]);
  });
});
