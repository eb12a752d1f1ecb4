import { describe, expect, it } from 'vitest';
import {
  parseConsentFile,
  serializeConsentFile,
  type ConsentFile,
} from '../../src/layout/consent-file.js';

const SALT = 'ab'.repeat(32);
const grant: ConsentFile = { version: 1, state: 'granted', signals: 'all', salt: SALT };

describe('consent file format', () => {
  it('round-trips a version 1 file through its text', () => {
    const text = serializeConsentFile({ ...grant, updatedAt: '2025-01-01T00:00:00.000Z' });
    expect(text.endsWith('\n')).toBe(true);
    expect(parseConsentFile(text)).toEqual({
      ok: true,
      file: { ...grant, updatedAt: '2025-01-01T00:00:00.000Z' },
    });
    expect(parseConsentFile(serializeConsentFile({ version: 1, state: 'denied' })).ok).toBe(true);
  });

  it.each([
    ['not JSON', '{', 'it is not valid JSON'],
    ['an array', '[]', 'it is not a JSON object'],
    ['another version', JSON.stringify({ ...grant, version: 2 }), 'its version 2 is not 1'],
    ['no version', JSON.stringify({ state: 'denied' }), 'its version is missing is not 1'],
    [
      'an unknown field',
      JSON.stringify({ ...grant, scope: 'x' }),
      'it has an unknown field "scope"',
    ],
    [
      'an unknown state',
      JSON.stringify({ ...grant, state: 'maybe' }),
      'its state "maybe" is not granted, denied or unknown',
    ],
    [
      'other signals',
      JSON.stringify({ ...grant, signals: 'logs' }),
      'its signals "logs" are not exactly "all" or "crashes"',
    ],
    [
      'a grant without signals',
      JSON.stringify({ version: 1, state: 'granted', salt: SALT }),
      'a grant without signals',
    ],
    [
      'a short salt',
      JSON.stringify({ ...grant, salt: 'abc' }),
      'its salt is not a hex string of at least 32 digits',
    ],
    [
      'a grant without a salt',
      JSON.stringify({ version: 1, state: 'granted', signals: 'crashes' }),
      'a grant without a salt',
    ],
    [
      'a non-string updatedAt',
      JSON.stringify({ ...grant, updatedAt: 5 }),
      'its updatedAt is not a string',
    ],
  ])('refuses %s, saying why', (_what, text, reason) => {
    expect(parseConsentFile(text)).toEqual({ ok: false, reason });
  });
});
