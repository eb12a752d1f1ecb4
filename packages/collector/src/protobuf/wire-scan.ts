import type { Signal } from '@otelspool/exporter-jsonl';
import {
  anyValueDepthMessage,
  checkCounts,
  RequestLimitError,
  type RequestCounts,
  type RequestLimits,
} from '../receiver/request-limits.js';
import { REQUEST_SPEC, type FieldSpec, type MessageSpec } from './wire-schema.js';

/** The body is not protobuf the decoder would read the same way the scan did. */
export class MalformedProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedProtobufError';
  }
}

export interface WireScanResult {
  /** The body, or a copy without its empty top-level envelopes (nothing to materialise). */
  bytes: Uint8Array;
  counts: RequestCounts;
  /** Empty ResourceX entries left out of `bytes`. */
  droppedEmpty: number;
  /** Deepest message nesting met (the decoder's recursion needs this much). */
  maxMessageDepth: number;
}

/**
 * Pre-scan of an ExportXServiceRequest in wire format: varint tags and lengths only, no object
 * is built. Counts resource entries, scope entries, items (spans, log records, metrics, data
 * points) and values (every message plus every repeated scalar element) against `limits`,
 * measures AnyValue nesting the way the normaliser does (a value directly under an attribute
 * is at depth 0; an arrayValue / kvlistValue at depth `maxAnyValueDepth` is refused), and
 * leaves out empty top-level envelopes. Cost: one pass over the bytes, recursion bounded by
 * the schema and the nesting limit.
 *
 * Throws RequestLimitError over a cap, MalformedProtobufError when the bytes are not protobuf
 * or use a wire type other than the declared one for a known field (which protobufjs would read
 * differently from this scan).
 */
export function scanRequest(
  signal: Signal,
  bytes: Uint8Array,
  limits: RequestLimits,
): WireScanResult {
  const scan = new WireScanner(bytes, limits);
  scan.counts.nodes = 1; // the request itself, as the JSON scan counts the top-level object
  const spec = REQUEST_SPEC[signal];
  const keep: Array<[number, number]> = [];
  let dropped = 0;
  let runStart = 0;
  scan.fields(spec, 0, bytes.length, 0, 0, (field, fieldStart, payloadStart, end) => {
    if (field === 1 && payloadStart === end) {
      // An empty ResourceX: counted (it is still an entry the sender sent), then left out.
      if (fieldStart > runStart) keep.push([runStart, fieldStart]);
      runStart = end;
      dropped++;
    }
  });
  if (dropped === 0) {
    return { bytes, counts: scan.counts, droppedEmpty: 0, maxMessageDepth: scan.maxDepth };
  }
  if (bytes.length > runStart) keep.push([runStart, bytes.length]);
  let size = 0;
  for (const [a, b] of keep) size += b - a;
  const out = new Uint8Array(size);
  let at = 0;
  for (const [a, b] of keep) {
    out.set(bytes.subarray(a, b), at);
    at += b - a;
  }
  return { bytes: out, counts: scan.counts, droppedEmpty: dropped, maxMessageDepth: scan.maxDepth };
}

type OnField = (field: number, fieldStart: number, payloadStart: number, end: number) => void;

class WireScanner {
  readonly counts: RequestCounts = { resources: 0, scopes: 0, items: 0, nodes: 0 };
  maxDepth = 0;
  private pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly limits: RequestLimits,
  ) {}

  /** Walks the fields of one message spanning [start, end). */
  fields(
    spec: MessageSpec,
    start: number,
    end: number,
    anyDepth: number,
    msgDepth: number,
    onField?: OnField,
  ): void {
    if (msgDepth > this.maxDepth) this.maxDepth = msgDepth;
    this.pos = start;
    while (this.pos < end) {
      const fieldStart = this.pos;
      const tag = this.varint32(end, 'tag');
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 0) this.malformed(`field number 0 in ${spec.name}`);
      const f = spec.fields.get(field);
      if (f === undefined) {
        this.skip(wt, end, spec, field);
        continue;
      }
      if (wt === 2 && f.child) {
        const len = this.varint32(end, 'length');
        const payload = this.pos;
        if (len > end - payload) this.malformed(`length of field ${field} in ${spec.name}`);
        const childEnd = payload + len;
        onField?.(field, fieldStart, payload, childEnd);
        this.message(f.child, payload, childEnd, anyDepth, msgDepth + 1);
        this.pos = childEnd;
        continue;
      }
      this.scalar(f, wt, end, spec, field);
    }
  }

  private message(
    spec: MessageSpec,
    start: number,
    end: number,
    anyDepth: number,
    msgDepth: number,
  ): void {
    const c = this.counts;
    c.nodes++;
    if (spec.role === 'resource') c.resources++;
    else if (spec.role === 'scope') c.scopes++;
    else if (spec.role === 'item') c.items++;
    checkCounts(c, this.limits);
    let depth = anyDepth;
    if (spec.role === 'anyValue' && this.isContainer(start, end)) {
      // As the normaliser: arrayValue / kvlistValue allowed while depth < limit.
      if (anyDepth >= this.limits.maxAnyValueDepth) {
        throw new RequestLimitError(anyValueDepthMessage(this.limits), 400);
      }
      depth = anyDepth + 1;
    }
    this.fields(spec, start, end, depth, msgDepth);
  }

  /** Whether an AnyValue carries an arrayValue (5) or kvlistValue (6): a cheap look at its tags. */
  private isContainer(start: number, end: number): boolean {
    const saved = this.pos;
    this.pos = start;
    let container = false;
    while (this.pos < end) {
      const tag = this.varint32(end, 'tag');
      const field = tag >>> 3;
      const wt = tag & 7;
      if ((field === 5 || field === 6) && wt === 2) container = true;
      this.skip(wt, end, undefined, field);
    }
    this.pos = saved;
    return container;
  }

  private scalar(f: FieldSpec, wt: number, end: number, spec: MessageSpec, field: number): void {
    if (f.packable && wt === 2) {
      const len = this.varint32(end, 'length');
      const start = this.pos;
      if (len > end - start) this.malformed(`length of field ${field} in ${spec.name}`);
      const stop = start + len;
      let n = 0;
      if (f.wt === 1) {
        // protobufjs reads whole elements past a ragged end: refuse rather than diverge.
        if (len % 8 !== 0) this.malformed(`packed field ${field} in ${spec.name}: ragged length`);
        n = len / 8;
      } else {
        for (let i = start; i < stop; i++) if ((this.buf[i] as number) < 0x80) n++;
        if (len > 0 && (this.buf[stop - 1] as number) >= 0x80)
          this.malformed(`packed field ${field} in ${spec.name}: truncated varint`);
        this.pos = start;
        while (this.pos < stop) this.varint64(stop);
      }
      this.pos = stop;
      this.counts.nodes += n;
      checkCounts(this.counts, this.limits);
      return;
    }
    if (wt !== f.wt) {
      this.malformed(`field ${field} of ${spec.name} has wire type ${wt}, expected ${f.wt}`);
    }
    if (f.repeated) {
      this.counts.nodes++;
      checkCounts(this.counts, this.limits);
    }
    if (wt === 0 && f.v32) this.varint32(end, `field ${field} of ${spec.name}`);
    else this.skip(wt, end, spec, field);
  }

  private skip(wt: number, end: number, spec: MessageSpec | undefined, field: number): void {
    switch (wt) {
      case 0:
        this.varint64(end);
        return;
      case 1:
        this.advance(8, end);
        return;
      case 2: {
        const len = this.varint32(end, 'length');
        this.advance(len, end);
        return;
      }
      case 5:
        this.advance(4, end);
        return;
      default:
        // Groups (3, 4) are not used by OTLP; 6 and 7 do not exist.
        this.malformed(`wire type ${wt} (field ${field}${spec ? ` of ${spec.name}` : ''})`);
    }
  }

  private advance(n: number, end: number): void {
    if (n > end - this.pos) this.malformed('truncated field');
    this.pos += n;
  }

  /**
   * A varint read as protobufjs reads uint32: 1 to 5 bytes, or exactly 10 (a negative int32);
   * other lengths make protobufjs skip a different number of bytes, so they are refused.
   */
  private varint32(end: number, what: string): number {
    const buf = this.buf;
    let value = 0;
    let shift = 0;
    const first = this.pos;
    for (;;) {
      if (this.pos >= end) this.malformed(`truncated ${what}`);
      const b = buf[this.pos++] as number;
      const n = this.pos - first;
      if (n <= 5) value = (value | ((b & 0x7f) << shift)) >>> 0;
      shift += 7;
      if (b < 0x80) {
        if (n > 5 && n !== 10) this.malformed(`${n}-byte varint (${what})`);
        return value;
      }
      if (n >= 10) this.malformed(`varint longer than 10 bytes (${what})`);
    }
  }

  private varint64(end: number): void {
    const first = this.pos;
    for (;;) {
      if (this.pos >= end) this.malformed('truncated varint');
      const b = this.buf[this.pos++] as number;
      if (b < 0x80) return;
      if (this.pos - first >= 10) this.malformed('varint longer than 10 bytes');
    }
  }

  private malformed(what: string): never {
    throw new MalformedProtobufError(`${what} at byte ${this.pos}`);
  }
}
