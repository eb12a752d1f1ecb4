import { describe, expect, it } from 'vitest';
import { createScrubber } from '../../src/privacy/scrub.js';

describe('createScrubber', () => {
  it('replaces the home dir with ~ and the user name with <user>', () => {
    const scrub = createScrubber('/home/alice', 'alice');
    expect(scrub('open /home/alice/docs/a.txt')).toBe('open ~/docs/a.txt');
    expect(scrub('file:///home/alice/app.js')).toBe('file://~/app.js');
    expect(scrub('owner alice, not malice')).toBe('owner <user>, not malice');
  });

  it('handles Windows homes in both slash styles', () => {
    const scrub = createScrubber('C:\\Users\\Carol', 'Carol');
    expect(scrub('C:\\Users\\Carol\\app\\x.js and C:/Users/Carol/app/y.js')).toBe(
      '~\\app\\x.js and ~/app/y.js',
    );
  });

  it('leaves generic or very short user names alone', () => {
    expect(createScrubber('/root', 'root')('root cause in /root/app')).toBe('root cause in ~/app');
    expect(createScrubber('/home/al', 'al')('al is short')).toBe('al is short');
  });
});
