import { describe, expect, it } from 'vitest';
import type { LogsData, TracesData } from '@otelspool/exporter-jsonl';
import { createSyncScrubber } from '@otelspool/exporter-jsonl/internal';
import { createRedactor } from '../../src/processors/redaction.js';
import {
  leakedSecrets,
  piiLogs,
  piiMetrics,
  piiTraces,
  PII_SECRETS,
} from '../fixtures/pii-corpus.js';

const salt = 'ab'.repeat(32);

describe('redaction processor', () => {
  const redactor = createRedactor({ salt, homeDirs: [] });

  it('leaks nothing from the PII corpus in traces, logs and metrics', () => {
    for (const [signal, data] of [
      ['traces', piiTraces()],
      ['logs', piiLogs()],
      ['metrics', piiMetrics()],
    ] as const) {
      const before = JSON.stringify(data);
      expect(leakedSecrets(before).length).toBeGreaterThan(20); // the corpus really is planted
      const out = JSON.stringify(redactor.redact(signal, data));
      expect(leakedSecrets(out), `${signal}: ${out.slice(0, 300)}`).toEqual([]);
    }
  });

  it('does not modify its input', () => {
    const data = piiTraces();
    const copy = JSON.stringify(data);
    redactor.redact('traces', data);
    expect(JSON.stringify(data)).toBe(copy);
  });

  it('hashes identifiers with the salt: stable, groupable, salt-dependent', () => {
    const out = redactor.redact('traces', piiTraces()) as TracesData;
    const attrs = out.resourceSpans?.[0]?.resource?.attributes ?? [];
    const host = attrs.find((a) => a.key === 'host.name')?.value?.stringValue;
    expect(host).toMatch(/^[0-9a-f]{32}$/);
    expect(host).toBe(redactor.hash(PII_SECRETS.hostName));
    expect(createRedactor({ salt: 'cd'.repeat(32) }).hash(PII_SECRETS.hostName)).not.toBe(host);
    expect(attrs.find((a) => a.key === 'user.name')?.value?.stringValue).toBe(
      redactor.hash(PII_SECRETS.userName),
    );
  });

  it('drops command lines and env-like keys, keeps ordinary data intact', () => {
    const out = redactor.redact('logs', piiLogs()) as LogsData;
    const keys = (out.resourceLogs?.[0]?.resource?.attributes ?? []).map((a) => a.key);
    expect(keys).not.toContain('process.command_args');
    expect(keys).not.toContain('process.command_line');
    expect(keys).not.toContain('process.environment.HOME_TOKEN');
    expect(keys).not.toContain('app.env.SECRET');
    expect(keys).not.toContain('db.password');
    expect(keys).toContain('service.name');
    const keep = out.resourceLogs?.[0]?.resource?.attributes?.find((a) => a.key === 'keep.me');
    expect(keep?.value?.stringValue).toBe('plain value 42');
    const svc = out.resourceLogs?.[0]?.resource?.attributes?.find((a) => a.key === 'service.name');
    expect(svc?.value?.stringValue).toBe('pii-test');
    expect(out.resourceLogs?.[0]?.scopeLogs?.[0]?.logRecords?.[1]?.severityNumber).toBe(21);
  });

  it('honours allowlist and denylist', () => {
    const custom = createRedactor({ salt, allowKeys: ['host.name'], denyKeys: ['keep.*'] });
    const out = custom.redact('traces', piiTraces()) as TracesData;
    const attrs = out.resourceSpans?.[0]?.resource?.attributes ?? [];
    expect(attrs.find((a) => a.key === 'host.name')?.value?.stringValue).toBe(PII_SECRETS.hostName);
    expect(attrs.find((a) => a.key === 'keep.me')).toBeUndefined();
  });
});

// The sync-time rule set redaction applies (createSyncScrubber, shared with the crash handler).
describe('scrubber', () => {
  const scrub = createSyncScrubber({ homeDirs: ['/home/alice'] });

  it.each([
    ['mail me at a.b@c.io', 'mail me at <email>'],
    ['from 10.0.0.1:8080', 'from <ip>:8080'],
    ['v6 ::1 and fe80::1%eth0', 'v6 <ip> and <ip>'],
    ['mapped ::ffff:192.168.0.1', 'mapped <ip>'],
    ['/home/alice/x and /home/bob/y', '~/x and /home/<user>/y'],
    ['C:\\Users\\Bob\\file', 'C:\\Users\\<user>\\file'],
    ['Authorization: Bearer abcdefghijk123', 'Authorization: Bearer <token>'],
    ['https://x.io/a?b=c#frag', 'https://x.io/a?<redacted>#frag'],
    ['pay 4111-1111-1111-1111 now', 'pay <card> now'],
    // found by the reliability privacy corpus (test/reliability/privacy.test.ts):
    ["mail o'brien@example.com", 'mail <email>'],
    ['to a|b~c^d{e}@example.org', 'to <email>'],
    [`key AIza${'Ab1_'.repeat(8)}xy- ok`, 'key <api-key> ok'],
  ])('scrubs %s', (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it('scrubs a 200 KB run of e-mail characters without quadratic backtracking', () => {
    // the unbounded local part took ~0.5 s for 20 KB and grew with the square of the length
    const input = `${'x'.repeat(200_000)}@`;
    expect(scrub(input)).toBe(input);
  });

  it.each([
    'std::vector<int> at 12:30:45',
    'ts 1700000000000000000',
    'order 4111111111111112',
    'version 1.2.3',
    'plain text with no secrets',
  ])('leaves %s alone', (input) => {
    expect(scrub(input)).toBe(input);
  });
});

describe('scrubber on relative URLs', () => {
  it('drops the query of a path', () => {
    expect(createSyncScrubber({ homeDirs: [] })('GET /search?q=jane&page=2')).toBe(
      'GET /search?<redacted>',
    );
  });
});

describe('redaction gaps of issue 11 (item 10)', () => {
  const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const ENV_SECRET = 'Zq81vK2mPx7Lw0Rt5Yb';
  const KEYS = [
    'token',
    'refresh_token',
    'session.token',
    'github.token',
    'auth.token',
    'x-api-token',
    'bearer',
    'passphrase',
  ];
  const logs = (): LogsData => ({
    resourceLogs: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'svc' } },
            { key: 'deployment.environment.name', value: { stringValue: 'production' } },
            { key: 'app.environment', value: { stringValue: 'HOME=/root' } },
          ],
        },
        scopeLogs: [
          {
            logRecords: [
              {
                severityNumber: 17,
                body: { stringValue: `upstream said ${ENV_SECRET} is invalid` },
                attributes: [
                  ...KEYS.map((key, i) => ({ key, value: { stringValue: `planted-${i}` } })),
                  {
                    key: 'exception.message',
                    value: { stringValue: `aws secret key ${AWS_SECRET} rejected` },
                  },
                  { key: 'gen_ai.usage.input_tokens', value: { intValue: '1520' } },
                ],
              },
            ],
          },
        ],
      },
    ],
  });
  const r = createRedactor({
    salt,
    homeDirs: [],
    env: { MY_UPSTREAM_API_TOKEN: ENV_SECRET },
  });

  it('drops values under every secret-like key of the issue', () => {
    const out = JSON.stringify(r.redact('logs', logs()));
    expect(out).not.toMatch(/planted-\d/);
    for (const key of KEYS) expect(out).not.toContain(`"key":"${key}"`);
    expect(out).toContain('"gen_ai.usage.input_tokens"'); // a count, not a token
  });

  it('scrubs an AWS secret key and an env-var secret in messages', () => {
    const out = JSON.stringify(r.redact('logs', logs()));
    expect(out).not.toContain(AWS_SECRET);
    expect(out).not.toContain(ENV_SECRET);
    expect(out).toContain('upstream said <redacted> is invalid');
  });

  it('keeps deployment.environment.name (and still drops other environment keys)', () => {
    const out = r.redact('logs', logs());
    const attrs = out.resourceLogs?.[0]?.resource?.attributes ?? [];
    expect(attrs.find((a) => a.key === 'deployment.environment.name')?.value?.stringValue).toBe(
      'production',
    );
    expect(attrs.find((a) => a.key === 'app.environment')).toBeUndefined();
  });
});
