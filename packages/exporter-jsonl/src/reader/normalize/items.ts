import { OtlpShapeError } from './shape-error.js';
import { listField, type JsonObject } from './fields.js';
import type { NormalizeContext } from './scalars.js';

/** Reasons kept per value: enough to say what was wrong without growing with a hostile line. */
const MAX_REASONS = 3;

/**
 * A repeated field of *items* (resource / scope envelopes, spans, metrics, data points, log
 * records). Strict walks (no `ctx.drops`) behave as `listField`: the first invalid element fails
 * the whole value. Tolerant walks remove each invalid element from the list (order kept, in
 * place), add `countOf(element)` to the tally and keep its reason with the element's full path
 * (`where()` + `key[i]` + the path inside it), so one bad span never costs its valid siblings.
 *
 * `where` builds the path prefix only when something is dropped (the fast path builds no
 * strings). Errors other than OtlpShapeError (stack overflow) still propagate.
 */
export function itemListField(
  obj: JsonObject,
  key: string,
  ctx: NormalizeContext,
  each: (item: unknown, index: number) => void,
  countOf: (item: unknown) => number,
  where: () => string,
): void {
  const drops = ctx.drops;
  if (drops === undefined) {
    listField(obj, key, each);
    return;
  }
  const list = obj[key];
  if (!Array.isArray(list)) {
    listField(obj, key, each); // absent / null (removed) / wrong type (throws, for the caller)
    return;
  }
  let kept = 0;
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    try {
      each(item, i);
    } catch (err) {
      if (!(err instanceof OtlpShapeError)) throw err;
      drops.count += countOf(item);
      drops.events++;
      if (drops.reasons.length < MAX_REASONS) {
        err.under(i).under(key);
        const prefix = where();
        drops.reasons.push(prefix === '' ? err.message : `${prefix}.${err.message}`);
      }
      continue;
    }
    if (kept !== i) list[kept] = item;
    kept++;
  }
  if (kept !== list.length) list.length = kept;
}

/** Length of `value[key]` when it is an array (the item count of a dropped container), else 0. */
export function lengthOf(value: unknown, key: string): number {
  if (typeof value !== 'object' || value === null) return 0;
  const list = (value as JsonObject)[key];
  return Array.isArray(list) ? list.length : 0;
}

/** Sum over `value[key]` of `inner(element)`: items held by a dropped container. */
export function sumOf(value: unknown, key: string, inner: (item: unknown) => number): number {
  if (typeof value !== 'object' || value === null) return 0;
  const list = (value as JsonObject)[key];
  if (!Array.isArray(list)) return 0;
  let n = 0;
  for (const item of list) n += inner(item);
  return n;
}

export const one = (): number => 1;
