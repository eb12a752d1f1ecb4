import { describe, expect, it } from 'vitest';
import {
  anyValueJson,
  doubleJson,
  hrTimeToNanosString,
  int64String,
} from '../../src/otlp/encode-common.js';

describe('OTLP/JSON scalar rules', () => {
  it('writes int64 values exactly, never in exponent notation', () => {
    expect(int64String(0)).toBe('0');
    expect(int64String(-0)).toBe('0');
    expect(int64String(2 ** 53 + 2)).toBe('9007199254740994');
    expect(int64String(2 ** 60)).toBe('1152921504606846976'); // String() would give ...847000
    expect(int64String(-(2 ** 62))).toBe('-4611686018427387904');
    expect(int64String(1e21)).toBe('1000000000000000000000');
  });

  it('turns HrTime into nanoseconds without floating-point loss', () => {
    expect(hrTimeToNanosString([1_700_000_000, 123_456_789])).toBe('1700000000123456789');
    expect(hrTimeToNanosString([1_700_000_000, 5])).toBe('1700000000000000005');
    expect(hrTimeToNanosString([0, 42])).toBe('42');
    expect(hrTimeToNanosString([1, 1_500_000_000])).toBe('2500000000'); // not normalised
  });

  it('writes doubles as numbers and non-finite ones as the proto3 JSON strings', () => {
    expect(doubleJson(1.5)).toBe('1.5');
    expect(doubleJson(Number.NaN)).toBe('"NaN"');
    expect(doubleJson(Number.NEGATIVE_INFINITY)).toBe('"-Infinity"');
  });

  it('keeps the sign of -0 (String(-0) and JSON.stringify(-0) drop it)', () => {
    expect(doubleJson(-0)).toBe('-0');
    expect(doubleJson(0)).toBe('0');
    expect(Object.is(JSON.parse(doubleJson(-0)), -0)).toBe(true);
    // -0 is an integer to JS, but an int64 has no -0: the attribute stays a double.
    expect(anyValueJson(-0)).toBe('{"doubleValue":-0}');
    expect(Object.is(JSON.parse(anyValueJson(-0)).doubleValue, -0)).toBe(true);
    expect(anyValueJson(0)).toBe('{"intValue":"0"}');
    expect(anyValueJson(Number.POSITIVE_INFINITY)).toBe('{"doubleValue":"Infinity"}');
  });

  it('encodes every AnyValue kind', () => {
    expect(JSON.parse(anyValueJson(3))).toEqual({ intValue: '3' });
    expect(JSON.parse(anyValueJson(2 ** 64))).toEqual({ doubleValue: 2 ** 64 }); // beyond int64
    expect(JSON.parse(anyValueJson(10n))).toEqual({ intValue: '10' });
    expect(JSON.parse(anyValueJson(new Uint8Array([104, 105])))).toEqual({ bytesValue: 'aGk=' });
    expect(JSON.parse(anyValueJson(undefined))).toEqual({});
    expect(JSON.parse(anyValueJson({ a: [true] }))).toEqual({
      kvlistValue: {
        values: [{ key: 'a', value: { arrayValue: { values: [{ boolValue: true }] } } }],
      },
    });
    expect(JSON.parse(anyValueJson('\u0000"\\'))).toEqual({ stringValue: '\u0000"\\' });
  });
});
