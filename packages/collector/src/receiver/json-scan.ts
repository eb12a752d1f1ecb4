import { METRIC_TYPES, RESOURCE_FIELD, type Signal } from '@otelspool/exporter-jsonl';
import {
  anyValueDepthMessage,
  checkCounts,
  RequestLimitError,
  type RequestCounts,
  type RequestLimits,
} from './request-limits.js';

/**
 * Container nesting a valid OTLP/JSON request can reach: at most 15 objects and arrays of
 * envelopes down to an attribute value (request → resourceMetrics → … → exemplar →
 * filteredAttributes → key/value → value), then 4 per AnyValue level (kvlistValue → values →
 * key/value → value). Deeper JSON cannot be valid, whatever its keys, and is refused before
 * JSON.parse builds it.
 */
export function jsonDepthLimit(limits: RequestLimits): number {
  return 16 + 4 * (limits.maxAnyValueDepth + 1);
}

// The normaliser also reads the pre-2022 `instrumentationLibrary*` names.
const SCOPE_KEYS: Record<Signal, readonly string[]> = {
  traces: ['scopeSpans', 'instrumentationLibrarySpans'],
  metrics: ['scopeMetrics', 'instrumentationLibraryMetrics'],
  logs: ['scopeLogs', 'instrumentationLibraryLogs'],
};
const ITEM_KEY: Record<Signal, string> = {
  traces: 'spans',
  metrics: 'metrics',
  logs: 'logRecords',
};
const METRIC_DATA_KEYS: ReadonlySet<string> = new Set(METRIC_TYPES);

// Where a container sits in the request; OTHER for everything the caps do not name.
const OTHER = 0;
const ROOT = 1;
const RESOURCE_LIST = 2;
const RESOURCE = 3;
const SCOPE_LIST = 4;
const SCOPE = 5;
const ITEM_LIST = 6;
const ITEM = 7;
const METRIC_DATA = 8;
const POINT_LIST = 9;
const POINT = 10;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Bytes that end a number or a literal. */
const DELIMITER = new Uint8Array(256);
for (const c of ',}]:"{[ \n\r\t') DELIMITER[c.charCodeAt(0)] = 1;

/** Per role, the keys whose value changes the child's role (roles absent read no key). */
function keyTable(signal: Signal): Map<number, Array<[Buffer, number]>> {
  const keys = (pairs: Array<[string, number]>): Array<[Buffer, number]> =>
    pairs.map(([k, role]) => [Buffer.from(k, 'latin1'), role]);
  const table = new Map<number, Array<[Buffer, number]>>([
    [ROOT, keys([[RESOURCE_FIELD[signal], RESOURCE_LIST]])],
    [RESOURCE, keys(SCOPE_KEYS[signal].map((k) => [k, SCOPE_LIST]))],
    [SCOPE, keys([[ITEM_KEY[signal], ITEM_LIST]])],
  ]);
  if (signal === 'metrics') {
    table.set(ITEM, keys([...METRIC_DATA_KEYS].map((k) => [k, METRIC_DATA])));
    table.set(METRIC_DATA, keys([['dataPoints', POINT_LIST]]));
  }
  return table;
}
const KEY_TABLES: Record<Signal, Map<number, Array<[Buffer, number]>>> = {
  traces: keyTable('traces'),
  metrics: keyTable('metrics'),
  logs: keyTable('logs'),
};

/**
 * One pass over OTLP/JSON bytes, before JSON.parse: counts resource entries, scope entries,
 * items (spans, log records, metrics, data points) and values (every object, plus every scalar
 * element of an array), the same quantities the protobuf wire scan counts, and the container
 * depth. Strings are skipped with their escapes (native indexOf); no string is built but an
 * escaped envelope key. Throws RequestLimitError over a cap. Malformed JSON is not judged here
 * (JSON.parse will say why); the scan only never reads past the end.
 */
export function scanJson(signal: Signal, buf: Uint8Array, limits: RequestLimits): RequestCounts {
  const counts: RequestCounts = { resources: 0, scopes: 0, items: 0, nodes: 0 };
  const maxDepth = jsonDepthLimit(limits);
  const keyTableOf = KEY_TABLES[signal];
  // Stack of containers: role, and 1 for an object / 0 for an array.
  const roles = new Int32Array(maxDepth + 1);
  const objects = new Uint8Array(maxDepth + 1);
  let depth = 0;
  /** Role a container opened as the value of the current key would take (OTHER if none). */
  let keyRole = OTHER;
  let expectKey = false;
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const c = buf[i] as number;
    switch (c) {
      case QUOTE: {
        const end = stringEnd(buf, i + 1);
        if (depth > 0 && objects[depth - 1] === 1) {
          if (expectKey) {
            const table = keyTableOf.get(roles[depth - 1] as number);
            keyRole = table ? matchKey(buf, i + 1, end, table) : OTHER;
            expectKey = false;
          }
        } else if (depth > 0) {
          if (++counts.nodes > limits.maxNodes) checkCounts(counts, limits);
        }
        i = end + 1;
        continue;
      }
      case 0x7b: // {
      case 0x5b: {
        // [
        const object = c === 0x7b;
        let role = OTHER;
        if (depth === 0) role = object ? ROOT : OTHER;
        else if (objects[depth - 1] === 1) {
          // A key's role fits one kind of container: the lists are arrays, metric data an object.
          role = (keyRole === METRIC_DATA) === object ? keyRole : OTHER;
        } else if (object) {
          const parent = roles[depth - 1] as number;
          if (parent === RESOURCE_LIST) role = RESOURCE;
          else if (parent === SCOPE_LIST) role = SCOPE;
          else if (parent === ITEM_LIST) role = ITEM;
          else if (parent === POINT_LIST) role = POINT;
        }
        if (object) {
          counts.nodes++;
          if (role === RESOURCE) counts.resources++;
          else if (role === SCOPE) counts.scopes++;
          else if (role === ITEM || role === POINT) counts.items++;
          checkCounts(counts, limits);
        }
        if (depth >= maxDepth) {
          throw new RequestLimitError(
            `JSON body nested deeper than ${maxDepth} levels (${anyValueDepthMessage(limits)})`,
            400,
          );
        }
        roles[depth] = role;
        objects[depth] = object ? 1 : 0;
        depth++;
        expectKey = object;
        keyRole = OTHER;
        i++;
        continue;
      }
      case 0x7d: // }
      case 0x5d: // ]
        if (depth > 0) depth--;
        expectKey = false;
        keyRole = OTHER;
        i++;
        continue;
      case 0x2c: // ,
        expectKey = depth > 0 && objects[depth - 1] === 1;
        keyRole = OTHER;
        i++;
        continue;
      case 0x3a: // :
      case 0x20:
      case 0x0a:
      case 0x0d:
      case 0x09:
        i++;
        continue;
      default:
        // A number or a literal: one value, counted when it is an array element.
        if (depth > 0 && objects[depth - 1] === 0) {
          if (++counts.nodes > limits.maxNodes) checkCounts(counts, limits);
        }
        i++;
        while (i < n && DELIMITER[buf[i] as number] === 0) i++;
    }
  }
  return counts;
}

/** Index of the quote closing a string whose content starts at `from` (buf.length if none). */
function stringEnd(buf: Uint8Array, from: number): number {
  let j = from;
  for (;;) {
    const q = buf.indexOf(QUOTE, j);
    if (q === -1) return buf.length;
    let backslashes = 0;
    for (let k = q - 1; k >= from && buf[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return q;
    j = q + 1;
  }
}

/** The role of the key in buf[start, end) among `table`, read as JSON.parse would (escapes). */
function matchKey(
  buf: Uint8Array,
  start: number,
  end: number,
  table: Array<[Buffer, number]>,
): number {
  const len = end - start;
  let escaped = false;
  for (const [key, role] of table) {
    if (key.length === len) {
      let k = 0;
      while (k < len && buf[start + k] === key[k]) k++;
      if (k === len) return role;
    }
  }
  for (let k = start; k < end; k++) if (buf[k] === BACKSLASH) escaped = true;
  if (!escaped || len > 200) return OTHER;
  let decoded: unknown;
  try {
    decoded = JSON.parse(`"${Buffer.from(buf.buffer, buf.byteOffset + start, len).toString()}"`);
  } catch {
    return OTHER;
  }
  for (const [key, role] of table) if (decoded === key.toString('latin1')) return role;
  return OTHER;
}
