import { describe, expect, it } from 'vitest';
import {
  createKeyClassifier,
  isEnvKey,
  isSecretKey,
  SEMCONV_ALLOW_KEYS,
  splitKeyWords,
} from '../../src/internal.js';
import { CRASH_ATTRIBUTES, OTELSPOOL_ATTRIBUTES } from '../../src/semconv/crash.js';

// The keys issue 11 item 10 found leaving the machine intact, and their relatives.
const ISSUE_KEYS = [
  'token',
  'refresh_token',
  'session.token',
  'github.token',
  'auth.token',
  'x-api-token',
  'bearer',
  'passphrase',
];
const MORE_SECRET_KEYS = [
  'password',
  'db.password',
  'passwd',
  'pwd',
  'PGPASSWORD',
  'secret',
  'client_secret',
  'credential',
  'db.credentials',
  'creds',
  'apiKey',
  'api_key',
  'api-key',
  'api.key',
  'x-api-key',
  'APIKey',
  'auth',
  'authorization',
  'rpc.grpc.request.metadata.authorization',
  'cookie',
  'http.cookie',
  'private.key',
  'private_key',
  'tls.privateKey',
  'access.key',
  'aws.accessKeyId',
  'AWS_SECRET_ACCESS_KEY',
  'githubToken',
  'accessToken',
  'id_token',
  'npm.authToken',
  'service.api_key', // a wildcard on the allow-list never exempts a secret-like key
];
const NOT_SECRET_KEYS = [
  'author',
  'authority',
  'url.authority',
  'keyboard.layout',
  'monkey',
  'cache.key',
  'messaging.kafka.message.key',
  'db.redis.key',
  'gen_ai.usage.input_tokens',
  'gen_ai.request.max_tokens',
  'llm.token_count.prompt',
  'token.type',
  'auth.method',
  'http.auth.scheme',
  'password.length',
  'tokenizer',
  'otelspool.crash.signature',
  'session.id',
  'service.name',
  'deployment.environment.name',
  'passage',
];

describe('secret-like keys by word', () => {
  it.each([...ISSUE_KEYS, ...MORE_SECRET_KEYS])('%s is secret-like', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(NOT_SECRET_KEYS)('%s is not', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });

  it('splits keys on separators and camelCase humps', () => {
    expect(splitKeyWords('x-api-token')).toEqual(['x', 'api', 'token']);
    expect(splitKeyWords('githubToken')).toEqual(['github', 'token']);
    expect(splitKeyWords('APIKey.id')).toEqual(['api', 'key', 'id']);
    expect(splitKeyWords('aws_secret_access_key')).toEqual(['aws', 'secret', 'access', 'key']);
  });

  it('bounds the work on a hostile 1 MB key', () => {
    const key = 'a'.repeat(1_000_000) + '.token';
    const started = performance.now();
    expect(isSecretKey(key)).toBe(false); // words are read from the first 512 characters only
    expect(isSecretKey('token.' + 'a'.repeat(1_000_000))).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('environment-like keys', () => {
  it.each(['env', 'app.env.SECRET', 'process.environment', 'environmentVariables', 'app.environ'])(
    '%s is environment-like',
    (key) => expect(isEnvKey(key)).toBe(true),
  );
  it.each(['envelope.id', 'event.name', 'inventory'])('%s is not', (key) =>
    expect(isEnvKey(key)).toBe(false),
  );
});

describe('key classifier', () => {
  const classify = createKeyClassifier();

  it('drops every issue key (and the secret-like relatives)', () => {
    for (const key of [...ISSUE_KEYS, ...MORE_SECRET_KEYS]) {
      expect(classify(key), key).toEqual({ action: 'drop', rule: 'secret-word' });
    }
  });

  it('never drops deployment.environment.name (it has the word "environment")', () => {
    expect(isEnvKey('deployment.environment.name')).toBe(true);
    expect(classify('deployment.environment.name')).toEqual({
      action: 'scrub',
      rule: 'semconv-allow',
    });
    expect(classify('app.environment')).toEqual({ action: 'drop', rule: 'env-word' });
  });

  it('no semantic-convention key on the allow-list is secret-like', () => {
    for (const pattern of SEMCONV_ALLOW_KEYS) {
      const key = pattern.endsWith('.*') ? `${pattern.slice(0, -2)}.x` : pattern;
      expect(isSecretKey(key), key).toBe(false);
      expect(classify(key).action, key).toBe('scrub');
    }
  });

  it('keeps the crash vocabulary (crashes-only consent and grouping read it)', () => {
    for (const key of [...Object.values(CRASH_ATTRIBUTES), ...Object.values(OTELSPOOL_ATTRIBUTES)])
      expect(classify(key), key).toEqual({ action: 'scrub', rule: 'semconv-allow' });
  });

  it('applies the rules in the documented order', () => {
    const custom = createKeyClassifier({
      allowKeys: ['app.token'],
      denyKeys: ['service.version'],
      hashKeys: ['app.tenant'],
    });
    expect(custom('app.token').action).toBe('keep'); // allowKeys win over everything
    expect(custom('service.version').action).toBe('drop'); // denyKeys beat the allow-list
    expect(custom('process.command_line')).toEqual({ action: 'drop', rule: 'default-drop' });
    expect(custom('user.password')).toEqual({ action: 'drop', rule: 'secret-word' }); // not hashed
    expect(custom('user.name')).toEqual({ action: 'hash', rule: 'hash' });
    expect(custom('app.tenant')).toEqual({ action: 'hash', rule: 'hash' });
    expect(custom('service.instance.id.host')).toEqual({ action: 'hash', rule: 'hash' });
    expect(custom('http.route')).toEqual({ action: 'scrub', rule: 'default' });
  });

  it('memoises without growing without bound', () => {
    for (let i = 0; i < 20_000; i++) classify(`k${i}.token`);
    expect(classify('k19999.token').action).toBe('drop');
    expect(classify('k1.value').action).toBe('scrub');
  });
});
