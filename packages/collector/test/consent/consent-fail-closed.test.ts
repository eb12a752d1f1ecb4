// Issue 11, item 9: a consent file that is not exactly understood means no consent, and the
// reason says so (distinct from consent never given); item 1/2: a consent file someone else
// could have written, or that is not a regular file, is refused with the reason.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  describeConsentRefusal,
  ensureSalt,
  grantConsent,
  readConsent,
} from '../../src/consent/consent.js';

const SALT = 'ab'.repeat(32);
const good = { version: 1, state: 'granted', signals: 'all', salt: SALT };
const posix = process.platform !== 'win32';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'consent-closed-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const put = (value: unknown): void =>
  writeFileSync(join(dir, 'consent.json'), JSON.stringify(value), { mode: 0o600 });

describe('consent fails closed', () => {
  it('honours exactly version 1 with signals all or crashes', () => {
    put(good);
    expect(readConsent(dir)).toMatchObject({ state: 'granted', signals: 'all', salt: SALT });
    put({ ...good, signals: 'crashes' });
    expect(readConsent(dir)).toMatchObject({ state: 'granted', signals: 'crashes' });
    expect(readConsent(dir).problem).toBeUndefined();
  });

  it.each([
    ['signals "everything"', { ...good, signals: 'everything' }],
    ['signals as a list', { ...good, signals: ['all'] }],
    ['version 99', { ...good, version: 99 }],
    ['version "1"', { ...good, version: '1' }],
    ['no version', { state: 'granted', signals: 'all', salt: SALT }],
    ['an unknown field', { ...good, scope: 'everything' }],
    ['a grant without signals', { version: 1, state: 'granted', salt: SALT }],
    ['state "yes"', { ...good, state: 'yes' }],
    ['updatedAt a number', { ...good, updatedAt: 5 }],
    ['a short salt', { ...good, salt: 'abc' }],
    ['an array', [good]],
  ])('%s: no consent, "not understood", salt unused', (_name, value) => {
    put(value);
    const c = readConsent(dir);
    expect(c.state).toBe('unknown');
    expect(c.salt).toBe('');
    expect(c.problemKind).toBe('invalid');
    expect(c.problem).toMatch(/^consent file not understood: /);
    expect(describeConsentRefusal(c)).toMatch(/not understood/);
  });

  it('a missing file is "never given", not "not understood"', () => {
    const c = readConsent(dir);
    expect(c.problem).toBeUndefined();
    expect(describeConsentRefusal(c)).toMatch(/never given/);
  });

  it('ensureSalt does not overwrite a file it did not understand', () => {
    const text = JSON.stringify({ ...good, version: 2 });
    writeFileSync(join(dir, 'consent.json'), text, { mode: 0o600 });
    expect(ensureSalt(dir)).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(dir, 'consent.json'), 'utf8')).toBe(text);
  });

  it.skipIf(!posix)('refuses a group/other-readable file, a symlink and a FIFO, promptly', () => {
    put(good);
    chmodSync(join(dir, 'consent.json'), 0o644);
    expect(readConsent(dir)).toMatchObject({ state: 'unknown', problemKind: 'refused' });
    expect(readConsent(dir).problem).toMatch(/readable by group or others \(mode 0644/);
    rmSync(join(dir, 'consent.json'));
    symlinkSync('/dev/zero', join(dir, 'consent.json'));
    expect(readConsent(dir).problem).toMatch(/symbolic link/);
    rmSync(join(dir, 'consent.json'));
    execFileSync('mkfifo', ['-m', '0600', join(dir, 'consent.json')]);
    const t0 = Date.now();
    expect(readConsent(dir).problem).toMatch(/not a regular file/);
    expect(Date.now() - t0).toBeLessThan(1000);
    // A grant over a refused file says why instead of writing through it.
    expect(() => grantConsent(dir)).toThrow(/not a regular file/);
  });
});
