import fc from 'fast-check';

/** Values that break naive parsers: wrong types, extremes, huge numbers, odd strings. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    null,
    '',
    -1,
    0,
    1e308,
    -1e308,
    1e20,
    Number.MAX_SAFE_INTEGER + 2,
    '99999999999999999999999',
    '-1',
    'NaN',
    '0x10',
    'zz',
    '\u0000',
    '\ud800',
    [],
    {},
    [[[[[]]]]],
    { __proto__: { polluted: true } },
    'a'.repeat(10_000),
    true,
  ),
);

/** Every path (array of keys) to a node of a JSON value, in a fixed order. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

/** Structure-aware mutations of a valid template: replace or delete up to 4 nodes. */
export function mutationsOf<T>(template: T): fc.Arbitrary<unknown> {
  return fc
    .array(fc.tuple(fc.nat(), hostileValue, fc.boolean()), { minLength: 1, maxLength: 4 })
    .map((muts) => {
      let value: unknown = template;
      for (const [n, replacement, remove] of muts) {
        const all = paths(value);
        value = setAt(value, all[n % all.length]!, replacement, remove);
      }
      return value;
    });
}

/** Text-level damage: truncation, byte flips, inserted junk, duplicated spans. */
export function textDamageOf(text: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: text.length }).map((n) => text.slice(0, n)),
    fc
      .array(fc.tuple(fc.nat({ max: text.length - 1 }), fc.integer({ min: 0, max: 0xffff })), {
        minLength: 1,
        maxLength: 6,
      })
      .map((flips) => {
        const chars = [...text];
        for (const [at, code] of flips) chars[at % chars.length] = String.fromCharCode(code);
        return chars.join('');
      }),
    fc
      .tuple(fc.nat({ max: text.length }), fc.string({ maxLength: 20 }))
      .map(([at, junk]) => text.slice(0, at) + junk + text.slice(at)),
  );
}

/** Byte-level damage of a binary encoding. */
export function bytesDamageOf(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.nat({ max: bytes.length }).map((n) => bytes.slice(0, n)),
    fc
      .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
      .map((flips) => {
        const copy = Uint8Array.from(bytes);
        for (const [at, b] of flips) copy[at % copy.length] = b;
        return copy;
      }),
    fc.tuple(fc.nat({ max: bytes.length }), fc.uint8Array({ maxLength: 16 })).map(([at, junk]) => {
      const out = new Uint8Array(bytes.length + junk.length);
      out.set(bytes.subarray(0, at));
      out.set(junk, at);
      out.set(bytes.subarray(at), at + junk.length);
      return out;
    }),
  );
}
