// Privacy corpus: generated PII of every shape in every field of every signal, through the
// collector's redaction (the processor `spool sync` runs before anything leaves the machine).
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createRedactor } from '@otelspool/collector';
import { normalizeOtlp } from '@otelspool/exporter-jsonl';
import { recordFigure } from './helpers/figures.js';
import { FIXTURES, runSpool, startNode, stopAll } from './helpers/processes.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

const SEED = 20261124;
const PER_KIND = Number(process.env.RELIABILITY_PRIVACY_PER_KIND ?? 400);

const b64url = (s: string | Buffer): string => Buffer.from(s).toString('base64url');
const luhn = (digits: string): string => {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) d *= 2;
    sum += d > 9 ? d - 9 : d;
  }
  return digits + String((10 - (sum % 10)) % 10);
};

const userName = fc.stringMatching(/^[a-z][a-z0-9]{3,10}$/);
const alnum = (n: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${n}}$`));
const upper = (n: number) => fc.stringMatching(new RegExp(`^[A-Z0-9]{${n}}$`));

interface Pii {
  kind: string;
  /** The text placed in telemetry. */
  value: string;
  /** What must not appear after redaction (defaults to value). */
  secret: string;
}

/** The generated corpus: PER_KIND values of each shape, reproducible from SEED. */
function corpus(): Pii[] {
  const kinds: Record<string, fc.Arbitrary<Pii>> = {
    email: fc.emailAddress().map((v) => ({ kind: 'email', value: v, secret: v })),
    ipv4: fc
      .tuple(
        fc.integer({ min: 1, max: 223 }),
        fc.nat(255),
        fc.nat(255),
        fc.integer({ min: 1, max: 254 }),
      )
      .map((p) => p.join('.'))
      .map((v) => ({ kind: 'ipv4', value: `client ${v} connected`, secret: v })),
    ipv6: fc
      .array(fc.integer({ min: 0x1000, max: 0xffff }), { minLength: 8, maxLength: 8 })
      .map((g) => g.map((x) => x.toString(16)).join(':'))
      .map((v) => ({ kind: 'ipv6', value: `from [${v}]:443`, secret: v })),
    ipv6Compressed: fc
      .tuple(
        fc.integer({ min: 0x2001, max: 0x2fff }),
        fc.integer({ min: 0x100, max: 0xffff }),
        fc.integer({ min: 0x100, max: 0xffff }),
      )
      .map(([a, b, c]) => `${a.toString(16)}:db8::${b.toString(16)}:${c.toString(16)}`)
      .map((v) => ({ kind: 'ipv6', value: `peer ${v}`, secret: v })),
    linuxHome: fc.tuple(userName, fc.stringMatching(/^[a-z]{2,8}$/)).map(([u, f]) => ({
      kind: 'home-linux',
      value: `open /home/${u}/projects/${f}.txt failed`,
      secret: `/home/${u}`,
    })),
    macHome: fc.tuple(userName, fc.stringMatching(/^[a-z]{2,8}$/)).map(([u, f]) => ({
      kind: 'home-macos',
      value: `/Users/${u}/Library/${f}.plist`,
      secret: `/Users/${u}`,
    })),
    windowsHome: fc.tuple(userName, fc.stringMatching(/^[a-z]{2,8}$/)).map(([u, f]) => ({
      kind: 'home-windows',
      value: `C:\\Users\\${u}\\AppData\\${f}.dll`,
      secret: `Users\\${u}`,
    })),
    jwt: fc.tuple(userName, fc.nat()).map(([sub, iat]) => {
      const token = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify({ sub, iat }))}.${b64url(randomBytes(32))}`;
      return { kind: 'jwt', value: `Authorization failed for ${token}`, secret: token };
    }),
    openaiKey: alnum(40).map((k) => ({ kind: 'api-key', value: `key=sk-${k}`, secret: `sk-${k}` })),
    githubToken: alnum(36).map((k) => ({ kind: 'api-key', value: `ghp_${k}`, secret: `ghp_${k}` })),
    awsKey: upper(16).map((k) => ({
      kind: 'api-key',
      value: `aws AKIA${k} used`,
      secret: `AKIA${k}`,
    })),
    googleKey: fc
      .stringMatching(/^[A-Za-z0-9_-]{35}$/)
      .map((k) => ({ kind: 'api-key', value: `AIza${k}`, secret: `AIza${k}` })),
    slackToken: alnum(24).map((k) => ({
      kind: 'api-key',
      value: `xoxb-1234-${k}`,
      secret: `xoxb-1234-${k}`,
    })),
    bearer: alnum(32).map((k) => ({ kind: 'credential', value: `Bearer ${k}`, secret: k })),
    password: alnum(12).map((k) => ({ kind: 'credential', value: `db password=${k}`, secret: k })),
    urlUserinfo: fc.tuple(userName, alnum(10)).map(([u, p]) => ({
      kind: 'credential',
      value: `https://${u}:${p}@example.com/x`,
      secret: p,
    })),
    card: fc
      .tuple(fc.constantFrom('4', '51', '37', '6011'), fc.stringMatching(/^[0-9]{14}$/))
      .map(([prefix, rest]) => luhn((prefix + rest).slice(0, 15)))
      .map((v) => ({ kind: 'card', value: `card ${v} declined`, secret: v })),
  };
  const out: Pii[] = [];
  let seed = SEED;
  for (const arb of Object.values(kinds))
    out.push(...fc.sample(arb, { numRuns: PER_KIND, seed: seed++ }));
  // this machine's own home dir and user name
  out.push({ kind: 'home-local', value: `${homedir()}/secret/notes.md`, secret: homedir() });
  return out;
}

/** Identifiers the redactor hashes by key (a bare user or host name cannot be recognised in free text). */
const IDENTITY_KEYS = [
  'host.name',
  'user.name',
  'enduser.id',
  'process.owner',
  'host.id',
  'user.email',
];

const str = (v: string) => ({ stringValue: v });
const kv = (key: string, v: string) => ({ key, value: str(v) });
const attrs = (v: string) => [
  kv('message', v),
  { key: 'list', value: { arrayValue: { values: [str(v), { intValue: '1' }] } } },
  { key: 'nested', value: { kvlistValue: { values: [kv('inner', v), kv(v, 'as a key')] } } },
];
const resource = (v: string, identity: string) => ({
  attributes: [
    ...attrs(v),
    ...IDENTITY_KEYS.map((k) => kv(k, identity)),
    kv('service.name', 'svc'),
  ],
});

function traces(v: string, identity: string) {
  return {
    resourceSpans: [
      {
        resource: resource(v, identity),
        scopeSpans: [
          {
            scope: { name: 'scope', attributes: attrs(v) },
            spans: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                name: `GET ${v}`,
                kind: 2,
                startTimeUnixNano: '1',
                endTimeUnixNano: '2',
                attributes: attrs(v),
                events: [
                  {
                    timeUnixNano: '1',
                    name: `event ${v}`,
                    attributes: [
                      ...attrs(v),
                      kv('exception.message', v),
                      kv('exception.stacktrace', `Error: ${v}\n    at f (${v})`),
                    ],
                  },
                ],
                links: [
                  {
                    traceId: '0af7651916cd43dd8448eb211c80319d',
                    spanId: 'b7ad6b7169203332',
                    attributes: attrs(v),
                  },
                ],
                status: { code: 2, message: v },
              },
            ],
          },
        ],
      },
    ],
  };
}

function logs(v: string, identity: string) {
  return {
    resourceLogs: [
      {
        resource: resource(v, identity),
        scopeLogs: [
          {
            scope: { name: 'scope', attributes: attrs(v) },
            logRecords: [
              { timeUnixNano: '1', severityNumber: 17, body: str(v), attributes: attrs(v) },
              {
                timeUnixNano: '1',
                severityNumber: 21,
                body: { kvlistValue: { values: [kv('msg', v)] } },
                attributes: [kv('exception.message', v)],
              },
            ],
          },
        ],
      },
    ],
  };
}

function metrics(v: string, identity: string) {
  return {
    resourceMetrics: [
      {
        resource: resource(v, identity),
        scopeMetrics: [
          {
            scope: { name: 'scope', attributes: attrs(v) },
            metrics: [
              {
                name: 'requests',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [
                    {
                      timeUnixNano: '2',
                      asInt: '1',
                      attributes: attrs(v),
                      exemplars: [{ timeUnixNano: '2', asDouble: 1, filteredAttributes: attrs(v) }],
                    },
                  ],
                },
              },
              {
                name: 'latency',
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: [
                    {
                      timeUnixNano: '2',
                      count: '1',
                      bucketCounts: ['1'],
                      explicitBounds: [],
                      attributes: attrs(v),
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

describe('privacy corpus through redaction', () => {
  it('leaks after redaction = 0, for every PII shape in every field of every signal', () => {
    const redactor = createRedactor({
      salt: randomBytes(32).toString('hex'),
      homeDirs: [homedir()],
    });
    const pii = corpus();
    const identities = fc.sample(
      fc.oneof(userName, fc.stringMatching(/^[a-z]{3,8}-(laptop|desktop|mbp)$/)),
      { numRuns: pii.length, seed: SEED },
    );
    const leaks: { kind: string; secret: string; signal: string }[] = [];
    const perKind: Record<string, number> = {};
    let fields = 0;
    pii.forEach((p, i) => {
      const identity = `${identities[i]!}x`; // never a substring of generated hex
      for (const [signal, build] of [
        ['traces', traces],
        ['logs', logs],
        ['metrics', metrics],
      ] as const) {
        const data = normalizeOtlp(signal, build(p.value, identity));
        const text = JSON.stringify(redactor.redact(signal, data as never));
        fields += JSON.stringify(data).split(p.secret).length - 1;
        if (text.includes(p.secret)) leaks.push({ kind: p.kind, secret: p.secret, signal });
        if (text.includes(identity)) leaks.push({ kind: 'identity', secret: identity, signal });
      }
      perKind[p.kind] = (perKind[p.kind] ?? 0) + 1;
    });
    recordFigure('privacy.corpus', {
      values: pii.length,
      perKind,
      occurrencesBeforeRedaction: fields,
      identityValues: pii.length,
      leaks: leaks.length,
      leakKinds: [...new Set(leaks.map((l) => l.kind))],
      leakExamples: [...new Set(leaks.map((l) => l.kind))].map((k) =>
        leaks.find((l) => l.kind === k),
      ),
      leaksByKind: leaks.reduce<Record<string, number>>(
        (m, l) => ((m[l.kind] = (m[l.kind] ?? 0) + 1), m),
        {},
      ),
      localUser: userInfo().username,
    });
    expect(leaks).toEqual([]);
  });
});

// Issue 11 items 10 and 11, attacked end to end: the real SDK (built dist) writes a real spool,
// then `spool sync --dry-run` (the built CLI) writes exactly what would be sent.
describe('secrets written by a real SDK host, through spool sync --dry-run', () => {
  afterAll(async () => {
    await stopAll();
    await removeTempDirs();
  });

  const MARK = 'PLANTEDVAL';
  const SECRET_KEYS = [
    'token',
    'refresh_token',
    'session.token',
    'github.token',
    'auth.token',
    'x-api-token',
    'bearer',
    'passphrase',
  ];
  const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const ENV_NAME = 'MY_UPSTREAM_API_TOKEN';
  const ENV_SECRET = `Zq81vK2m${randomBytes(6).toString('hex')}`;

  /** Runs the host; `crash` makes it die of an uncaught error (outside or inside a span). */
  async function host(dir: string, crash?: 'plain' | 'span'): Promise<void> {
    const child = startNode([join(FIXTURES, 'privacy-child.mjs'), dir], {
      env: {
        PRIV_SECRET_KEYS: JSON.stringify(SECRET_KEYS),
        PRIV_MARK: MARK,
        PRIV_AWS_SECRET: AWS_SECRET,
        PRIV_ENV_NAME: ENV_NAME,
        [ENV_NAME]: ENV_SECRET,
        ...(crash ? { PRIV_CRASH: crash } : {}),
      },
    });
    const exit = await child.exited;
    if (crash) expect(exit.code, child.stderr()).not.toBe(0);
    else expect(exit.code, child.stderr()).toBe(0);
  }

  /** `spool sync --dry-run` with the host's environment (the env-var rule reads it). */
  async function dryRun(dir: string, grant: string[]): Promise<{ text: string; ms: number }> {
    expect((await runSpool(['consent', 'grant', '--dir', dir, ...grant])).code).toBe(0);
    const out = join(dir, 'dry-run.jsonl');
    const started = performance.now();
    const r = await runSpool(
      ['sync', '--dir', dir, '--dry-run', '--out', out, '--endpoint', 'http://127.0.0.1:9'],
      { [ENV_NAME]: ENV_SECRET },
    );
    const ms = performance.now() - started;
    expect(r.code, r.stderr).toBe(0);
    return { text: readFileSync(out, 'utf8'), ms };
  }

  function records(text: string): { spans: string[]; fatalLogs: number; logs: number } {
    const spans: string[] = [];
    let fatalLogs = 0;
    let logs = 0;
    for (const line of text.split('\n').filter(Boolean)) {
      const body = (JSON.parse(line) as { body: Record<string, unknown[]> }).body as {
        resourceSpans?: { scopeSpans?: { spans?: { name: string }[] }[] }[];
        resourceLogs?: { scopeLogs?: { logRecords?: { severityNumber?: number }[] }[] }[];
      };
      for (const rs of body.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? []) for (const sp of ss.spans ?? []) spans.push(sp.name);
      for (const rl of body.resourceLogs ?? [])
        for (const sl of rl.scopeLogs ?? [])
          for (const rec of sl.logRecords ?? []) {
            logs++;
            if ((rec.severityNumber ?? 0) >= 21) fatalLogs++;
          }
    }
    return { spans, fatalLogs, logs };
  }

  it('redacts every secret-like key, the AWS secret and the env-var secret; keeps deployment.environment.name', async () => {
    const dir = await tempDir('privacy-keys');
    await host(dir);
    const { text, ms } = await dryRun(dir, []);
    const leaked = [...new Set(text.match(new RegExp(`${MARK}-\\d+`, 'g')) ?? [])];
    const leakedKeys = SECRET_KEYS.filter((k) => text.includes(`"key":"${k}"`));
    recordFigure('privacy.sync-dry-run', {
      plantedKeys: SECRET_KEYS.length,
      leakedValues: leaked.length,
      leakedKeys,
      awsSecretLeaks: text.split(AWS_SECRET).length - 1,
      envSecretLeaks: text.split(ENV_SECRET).length - 1,
      deploymentEnvironmentName: text.includes('"deployment.environment.name"'),
      dryRunMs: Math.round(ms),
    });
    expect(leaked).toEqual([]);
    expect(leakedKeys).toEqual([]);
    expect(text).not.toContain(AWS_SECRET);
    expect(text).not.toContain(ENV_SECRET);
    expect(text).toContain('upstream said <redacted> is invalid');
    expect(text).toMatch(
      /"key":"deployment\.environment\.name","value":\{"stringValue":"production"\}/,
    );
    expect(records(text).spans).toContain('checkout'); // the span itself still goes, minus secrets
  });

  it.each(['plain', 'span'] as const)(
    'crashes-only consent keeps the crash span and the FATAL log of a real crash (%s)',
    async (mode) => {
      const dir = await tempDir(`privacy-crash-${mode}`);
      await host(dir, mode);
      const { text } = await dryRun(dir, ['--crashes-only']);
      const got = records(text);
      recordFigure(`privacy.crashes-only.${mode}`, got);
      // 'plain': the handler's own `crash` span; 'span': the span active at the crash, marked
      // by the crash attributes on its exception event
      expect(got.spans).toEqual([mode === 'plain' ? 'crash' : 'plugin.load']);
      expect(got.fatalLogs).toBe(1);
      expect(got.logs).toBe(1); // nothing but the crash: not the host's ordinary ERROR logs
      expect(text).not.toContain(AWS_SECRET);
      expect(text).not.toContain(ENV_SECRET);
    },
  );
});
