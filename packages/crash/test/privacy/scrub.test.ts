import { describe, expect, it } from 'vitest';
import { createCaptureScrubber } from '@otelspool/exporter-jsonl/write-path';

describe('createCaptureScrubber', () => {
  it('replaces the home dir with ~ and the user name with <user>', () => {
    const scrub = createCaptureScrubber({ homeDirs: ['/home/alice'], userNames: ['alice'] });
    expect(scrub('open /home/alice/docs/a.txt')).toBe('open ~/docs/a.txt');
    expect(scrub('file:///home/alice/app.js')).toBe('file://~/app.js');
    expect(scrub('owner alice, not malice')).toBe('owner <user>, not malice');
  });

  it('handles Windows homes in both slash styles', () => {
    const scrub = createCaptureScrubber({ homeDirs: ['C:\\Users\\Carol'], userNames: ['Carol'] });
    expect(scrub('C:\\Users\\Carol\\app\\x.js and C:/Users/Carol/app/y.js')).toBe(
      '~\\app\\x.js and ~/app/y.js',
    );
  });

  it('leaves generic or very short user names alone', () => {
    expect(
      createCaptureScrubber({ homeDirs: ['/root'], userNames: ['root'] })(
        'root cause in /root/app',
      ),
    ).toBe('root cause in ~/app');
    expect(
      createCaptureScrubber({ homeDirs: ['/home/al'], userNames: ['al'] })('al is short'),
    ).toBe('al is short');
  });
});

describe('createCaptureScrubber: the shared secret rules at capture time', () => {
  const env = { MY_UPSTREAM_API_TOKEN: 'Zq81vK2mPx7Lw0Rt5Yb', PWD: '/srv/app' };
  const scrub = createCaptureScrubber({ homeDirs: ['/home/alice'], userNames: ['alice'], env });

  it('redacts secrets by shape and secret env values before a crash report is written', () => {
    expect(scrub('aws secret key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY rejected')).toBe(
      'aws secret key <redacted> rejected',
    );
    expect(scrub('login with token=abc123 failed')).toBe('login with token=<redacted> failed');
    expect(scrub('upstream said Zq81vK2mPx7Lw0Rt5Yb is invalid')).toBe(
      'upstream said <redacted> is invalid',
    );
    expect(scrub('gh ghp_abcdefghijklmnopqrstuvwxyz0123456789')).toBe('gh <api-key>');
  });

  it('keeps what the local report needs: paths (not PWD), e-mail, IPs', () => {
    expect(scrub('at /srv/app/src/a.js:1:2 connect 10.0.0.1:5432 for bob@example.com')).toBe(
      'at /srv/app/src/a.js:1:2 connect 10.0.0.1:5432 for bob@example.com',
    );
    expect(scrub('/home/bob/x')).toBe('/home/<user>/x');
  });
});
