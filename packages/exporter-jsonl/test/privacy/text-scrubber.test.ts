import { describe, expect, it } from 'vitest';
import {
  createCaptureScrubber,
  createSyncScrubber,
  createTextScrubber,
  PII_SHAPE_RULES,
  SECRET_SHAPE_RULES,
  secretEnvValues,
} from '../../src/internal.js';

const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const scrub = createTextScrubber({ homeDirs: ['/home/alice'], userNames: ['alice'], env: false });

describe('secret shapes in free text', () => {
  it.each([
    [`aws secret key ${AWS_SECRET} was rejected`, 'aws secret key <redacted> was rejected'],
    [`aws_secret_access_key=${AWS_SECRET}`, 'aws_secret_access_key=<redacted>'],
    [`AWS_SECRET_ACCESS_KEY: "${AWS_SECRET}"`, 'AWS_SECRET_ACCESS_KEY: <redacted>'],
    [
      `aws credentials AKIAIOSFODNN7EXAMPLE / ${AWS_SECRET}`,
      'aws credentials <api-key> / <aws-secret>',
    ],
    ['token=abc123', 'token=<redacted>'],
    ['refresh_token: r1.xyz', 'refresh_token: <redacted>'],
    ['{"session.token":"s3ss10n","ok":1}', '{"session.token":<redacted>,"ok":1}'],
    ['{\\"github_token\\":\\"ghs-x\\"}', '{\\"github_token\\":<redacted>}'],
    ['x-api-token: 1234-abcd', 'x-api-token: <redacted>'],
    ['passphrase=correct horse', 'passphrase=<redacted> horse'],
    ['--api-secret=topsecretvalue', '--api-secret=<redacted>'],
    ['PGPASSWORD=hunter2 psql', 'PGPASSWORD=<redacted> psql'],
    ['key: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'key: <redacted>'],
    ['signing key is Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5', 'signing key is <redacted>'],
    ['Authorization: Bearer abcdefghijk123', 'Authorization: Bearer <token>'],
    ['authorization: basic dXNlcjpwYXNz', 'authorization: basic <token>'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature-x', '<jwt>'],
    ['gh ghp_abcdefghijklmnopqrstuvwxyz0123456789 x', 'gh <api-key> x'],
    ['slack xoxb-123456789012-abcdefghijkl', 'slack <api-key>'],
    ['stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'stripe <api-key>'],
    ['hook whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'hook <api-key>'],
    ['npm npm_abcdefghijklmnopqrstuvwxyz0123456789', 'npm <api-key>'],
    [
      'pem -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY----- end',
      'pem <private-key> end',
    ],
    ['unterminated -----BEGIN PRIVATE KEY-----\nMIIE', 'unterminated <private-key>'],
    ['https://bob:pa55@db.example.com/x', 'https://<redacted>@db.example.com/x'],
  ])('%s', (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it.each([
    'Token verification failed for request',
    'commit 8f3c2a1d9e7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a deployed', // a git sha, no AWS context
    'trace 0af7651916cd43dd8448eb211c80319c span b7ad6b7169203331',
    'id 123e4567-e89b-12d3-a456-426614174000',
    'auth failed', // "auth: <value>" is redacted; a sentence is not
    'cache key user42 missing',
    'input_tokens=1520 output_tokens=230',
    'at Object.<anonymous> (/srv/app/src/keys.js:10:5)',
    'the monkey: ate a banana',
    `/opt/aws/lib/node_modules/some-package/dist/index.js`,
  ])('leaves %s alone', (input) => {
    expect(scrub(input)).toBe(input);
  });
});

describe('e-mail addresses (found from each @)', () => {
  const pii = createTextScrubber({ homeDirs: [], userNames: [], env: false });
  it.each([
    ['mail me at a.b@c.io.', 'mail me at <email>.'],
    ['to x@y.org, z@w.co.uk', 'to <email>, <email>'],
    ["o'brien@example.com", '<email>'],
    ['key=jane@example.com', '<email>'], // `=` is atext: the same span the regex took
    ['a@b.com@c.org', '<email>@c.org'],
    [`${'x'.repeat(70)}@example.com`, `${'x'.repeat(6)}<email>`], // local part: 64 at most
    ['user@localhost and @handle and a@b', 'user@localhost and @handle and a@b'],
  ])('%s', (input, expected) => {
    expect(pii(input)).toBe(expected);
  });
});

describe('home directory and user name', () => {
  it('replaces the home dir, other homes and the whole-word user name', () => {
    expect(scrub('open /home/alice/docs and /home/bob/x')).toBe('open ~/docs and /home/<user>/x');
    expect(scrub('file:///home/alice/app.js')).toBe('file://~/app.js');
    expect(scrub('owner alice, not malice')).toBe('owner <user>, not malice');
    expect(scrub('/home/alicexyz/a')).toBe('/home/<user>/a'); // a longer sibling is not "~xyz"
  });
});

describe('secret values copied from the environment', () => {
  const env = {
    MY_UPSTREAM_API_TOKEN: 'Zq81vK2mPx7Lw0Rt5Yb',
    GITHUB_TOKEN: 'shortish', // 8 characters: still a secret
    DB_PASSWORD: 'short', // under 8: too likely to be an ordinary word
    PWD: '/work/main', // "pwd" is a secret word, PWD is the working directory
    HOME: '/home/alice',
    LANG: 'en_US.UTF-8',
  };

  it('collects the values of secret-named variables of 8+ characters', () => {
    expect(secretEnvValues(env)).toEqual(['Zq81vK2mPx7Lw0Rt5Yb', 'shortish']);
  });

  it('redacts them anywhere in text', () => {
    const s = createTextScrubber({ homeDirs: [], userNames: [], env });
    expect(s('login failed: upstream said Zq81vK2mPx7Lw0Rt5Yb is invalid')).toBe(
      'login failed: upstream said <redacted> is invalid',
    );
    expect(s('cd /work/main && shortish')).toBe('cd /work/main && <redacted>');
  });

  it('defaults to this process environment', () => {
    process.env.OTELSPOOL_TEST_SECRET_TOKEN = 'Vb7Qz2Lk9Mn4Xc1';
    try {
      expect(createTextScrubber({ homeDirs: [] })('got Vb7Qz2Lk9Mn4Xc1 back')).toBe(
        'got <redacted> back',
      );
    } finally {
      delete process.env.OTELSPOOL_TEST_SECRET_TOKEN;
    }
  });
});

describe('linear time on adversarial input', () => {
  // For each rule: a 1 MB string built from its own prefix and character classes so that a
  // backtracking or rescanning pattern would go quadratic. 1 MB in quadratic time is minutes;
  // linear is milliseconds. The bound is generous (shared CI machines).
  const MB = 1 << 20;
  const fill = (unit: string, tail = ''): string => unit.repeat(Math.ceil(MB / unit.length)) + tail;
  const inputs: Record<string, string> = {
    // found here: the old url-query rule took 63.7 s on 256 KB of this (quadratic)
    'a.a.': fill('a.', ' ://?'),
    'a.a. userinfo': fill('a.', ' ://@'),
    'url schemes': fill('a://,', '?'),
    'url no slash': fill('a.b:', ' ://x?'),
    'path query': fill('(/', '?q'),
    'space path': fill(' /a', '?'),
    userinfo: fill('a://b:', '@'),
    'assignment keys': fill('token.', '='),
    'assignment spaces': fill('password    ', '='),
    'assignment quotes': fill('token="', ''),
    'keyword runs': fill('key ', 'x'),
    'keyword short runs': fill('secret=abc ', ''),
    'jwt prefix': fill('eyJ', ''),
    'jwt dots': fill('eyJaaaaa.', ''),
    bearer: fill('Bearer ', ''),
    vendor: fill('sk_live_', ''),
    'vendor run': 'sk_live_' + fill('a', '_'),
    aws: 'aws ' + fill('A'),
    'aws slashes': 'aws ' + fill('Ab1/'),
    'pem begins': fill('-----BEGIN PRIVATE KEY-----'),
    'pem spaces': fill('-----BEGIN ' + ' '.repeat(50), 'PRIVATE KEY'),
    email: fill('a@b.', ''),
    'email labels': fill('x@' + 'b.'.repeat(40) + '1 ', ''),
    'email local': fill('a', '@'),
    ipv6: fill('1:', ''),
    'ipv6 groups': fill('ffff:', ':'),
    card: fill('4 ', ''),
    home: fill('/home/', ''),
    'windows home': fill('C:\\Users\\', ''),
    equals: fill('=', ''),
    colons: fill(':', ''),
  };

  it('covers every rule with at least one input', () => {
    expect(SECRET_SHAPE_RULES.length + PII_SHAPE_RULES.length).toBeGreaterThan(10);
  });

  it.each(Object.entries(inputs))('%s (1 MB)', (_name, input) => {
    const s = createTextScrubber({
      homeDirs: ['/home/alice'],
      userNames: ['alice'],
      env: { API_TOKEN: 'Zq81vK2mPx7Lw0Rt5Yb' },
    });
    const started = performance.now();
    s(input);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describe('the two presets', () => {
  const options = { homeDirs: ['/home/alice'], userNames: ['alice'], env: false } as const;
  const text = `alice@example.org hit /home/alice/app.js with token=abc123`;

  it('capture keeps personal-data shapes (an e-mail) and removes home dirs and secrets', () => {
    const out = createCaptureScrubber(options)(text);
    expect(out).toContain('@example.org');
    expect(out).not.toContain('/home/alice');
    expect(out).not.toContain('abc123');
  });

  it('sync removes the e-mail too', () => {
    const out = createSyncScrubber(options)(text);
    expect(out).not.toContain('@example.org');
    expect(out).not.toContain('/home/alice');
    expect(out).not.toContain('abc123');
    expect(createSyncScrubber(options)('mail bob@example.org')).toBe(
      createTextScrubber({ ...options, pii: true })('mail bob@example.org'),
    );
  });
});
