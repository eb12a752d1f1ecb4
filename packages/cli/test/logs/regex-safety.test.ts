import { describe, expect, it } from 'vitest';
import { compileRegex, LogQueryError } from '../../src/logs/index.js';

// A query's regex may come from a dashboard URL and runs on the server's one thread.
describe('query regexes cannot freeze the process', () => {
  it('a catastrophically backtracking pattern still answers (linear-time fallback)', () => {
    // Without the fallback this test never finishes: V8's backtracking engine needs minutes
    // for this pattern on a 40-character line.
    const re = compileRegex('(.*.*)*X', false, '--regex');
    expect(re.test('GET /users/42 ok GET /users/42 ok GET /u')).toBe(false);
    expect(re.test('GET /users/42 ok X')).toBe(true);
  }, 60_000);

  it('refuses backreferences and lookarounds, which RE2 (LogQL) does not have either', () => {
    for (const [pattern, named] of [
      ['(a+)+\\1b', 'backreference \\1'],
      ['(?<x>a)\\k<x>', 'named backreference'],
      ['foo(?=bar)', 'lookahead (?='],
      ['foo(?!bar)', 'lookahead (?!'],
      ['(?<=a)b', 'lookbehind (?<='],
      ['(?<!a)b', 'lookbehind (?<!'],
    ] as const) {
      expect(() => compileRegex(pattern, false, '--regex'), pattern).toThrow(LogQueryError);
      expect(() => compileRegex(pattern, false, '--regex'), pattern).toThrow(named);
    }
  });

  it('keeps what is regular: escapes, classes, named groups, (?i)', () => {
    expect(compileRegex('\\\\1 \\d+', false, '--regex').test('\\1 42')).toBe(true);
    expect(compileRegex('(?<word>ab)+', true, '--regex').test('abab')).toBe(true);
    expect(compileRegex('(?i)ERROR', false, '--regex').test('an error')).toBe(true);
    expect(compileRegex('(?:x|y)[0-9]', true, '--regex').test('y7')).toBe(true);
  });
});
