import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import { lstat, open, readdir, type FileHandle } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { decodeRequest } from '@otelspool/collector';
import {
  countRecords,
  DEFAULT_MAX_LINE_BYTES,
  normalizeOtlpItems,
  parseOtlpJson,
  RESOURCE_FIELD,
  SIGNALS,
  SpoolWriter,
  stringifyOtlpJson,
  type OtlpData,
  type Signal,
} from '@otelspool/exporter-jsonl';
import {
  ensureSpoolDirSync,
  errorCode,
  LineSplitter,
  READ_NOFOLLOW_FLAGS,
  readJsonStateFileSync,
  importedStatePath,
  SPOOL_FILES,
  SPOOL_FOLDERS,
  writeFileAtomicSync,
  type BadLine,
  type LineSink,
} from '@otelspool/exporter-jsonl/internal';
import {
  CliError,
  EXIT_FAILURE,
  EXIT_USAGE,
  printJson,
  spoolDirFrom,
  type CommonOptions,
} from '../output/index.js';

/** `--json` output shape; grows only while this is 1. */
export const IMPORT_SCHEMA_VERSION = 1;

/**
 * `<spool>/import/imported.json`: what was imported, by content hash (the idempotence rule).
 * The file name is the layout's; the folder is still named here because the layout module's
 * `importedStatePath` puts the file at the spool root, where it has never been (moving it would
 * make every earlier import look new).
 */
const STATE_MAX_BYTES = 4 * 1024 * 1024;
const STATE_MAX_ENTRIES = 10_000;
/** Problems listed per file (all are counted). */
const MAX_LISTED_PROBLEMS = 20;
const READ_CHUNK_BYTES = 1024 * 1024;
/** Lines waiting for the writer before the import waits for it. */
const MAX_IN_FLIGHT_BYTES = 8 * 1024 * 1024;

const SIGNAL_OF_FIELD: Readonly<Record<string, Signal>> = Object.fromEntries(
  SIGNALS.map((signal) => [RESOURCE_FIELD[signal], signal]),
);
/** What the Collector's JSON marshaler writes first: no second parse needed to pick the signal. */
const LEADING_FIELD = new RegExp(
  `^\\s*\\{\\s*"(${SIGNALS.map((signal) => RESOURCE_FIELD[signal]).join('|')})"\\s*:`,
);

export interface ImportOptions extends CommonOptions {
  force?: boolean;
  maxLineBytes?: string;
}

type BySignal = Record<Signal, number>;
const zero = (): BySignal => ({ traces: 0, metrics: 0, logs: 0 });

export interface ImportProblem {
  /** 1-based line number (absent for a problem with the whole file). */
  line?: number;
  reason: string;
}

/** What an import counts, per file and in total. */
export interface ImportCounts {
  /** Non-blank lines read. */
  lines: number;
  /** OTLP lines (requests) written, by signal. */
  linesImported: BySignal;
  /** Spans, metric data points and log records written, by signal. */
  records: BySignal;
  /** Lines not imported (invalid JSON or UTF-8, not OTLP, too long, nothing valid in them). */
  rejectedLines: number;
  /** Spans / data points / log records removed from otherwise good lines. */
  rejectedItems: number;
  /** Records the spool writer refused (spool full, I/O error). */
  notWritten: number;
}

function zeroCounts(): ImportCounts {
  return {
    lines: 0,
    linesImported: zero(),
    records: zero(),
    rejectedLines: 0,
    rejectedItems: 0,
    notWritten: 0,
  };
}

function addCounts(total: ImportCounts, counts: ImportCounts): void {
  total.lines += counts.lines;
  total.rejectedLines += counts.rejectedLines;
  total.rejectedItems += counts.rejectedItems;
  total.notWritten += counts.notWritten;
  for (const signal of SIGNALS) {
    total.linesImported[signal] += counts.linesImported[signal];
    total.records[signal] += counts.records[signal];
  }
}

export interface FileImport extends ImportCounts {
  path: string;
  /** imported: read (maybe with rejected lines); duplicate: same content imported before; failed: not readable at all. */
  status: 'imported' | 'duplicate' | 'failed' | 'skipped';
  compression: 'none' | 'gzip';
  /** json: one request per line; proto: length-prefixed protobuf messages (`lines` counts them). */
  format: 'json' | 'proto';
  sha256?: string;
  /** Lines before `resumedAt` were imported earlier (the file grew since). */
  resumedAt?: number;
  problems: ImportProblem[];
  problemsNotListed: number;
}

interface StateEntry {
  sha256: string;
  path: string;
  bytes: number;
  importedAt: string;
  records: number;
  /** Plain files: hash of the bytes up to the last complete line, to continue a grown file. */
  prefixBytes?: number;
  prefixSha256?: string;
  /** Raw sha256 of an unterminated last line that was imported (skipped once when continuing). */
  tailSha256?: string;
}

interface ImportState {
  schemaVersion: 1;
  files: StateEntry[];
}

function readState(dir: string): ImportState {
  const raw = readJsonStateFileSync(importedStatePath(dir), {
    trusted: true,
    maxBytes: STATE_MAX_BYTES,
  }) as { files?: unknown } | undefined;
  const files: StateEntry[] = [];
  if (raw && Array.isArray(raw.files)) {
    for (const f of raw.files as Partial<StateEntry>[]) {
      if (f && typeof f.sha256 === 'string' && typeof f.path === 'string') {
        files.push(f as StateEntry);
      }
    }
  }
  return { schemaVersion: 1, files };
}

function writeState(dir: string, state: ImportState): void {
  const files = state.files.slice(-STATE_MAX_ENTRIES);
  ensureSpoolDirSync(dir, SPOOL_FOLDERS.import);
  writeFileAtomicSync(
    importedStatePath(dir),
    JSON.stringify({ schemaVersion: 1, files }, null, 1) + '\n',
  );
}

/** The regular files under the paths, in order: directories walked, symlinks never followed. */
async function* walk(
  paths: string[],
  skipUnder: string,
): AsyncGenerator<{ path: string; skip?: string }> {
  for (const p of paths) {
    const abs = resolve(p);
    let st;
    try {
      st = await lstat(abs);
    } catch {
      yield { path: abs }; // missing or unreadable: the open reports it as a failed file
      continue;
    }
    if (st.isDirectory()) yield* walkDir(abs, skipUnder);
    else yield { path: abs }; // a symlink or special file given by name fails at open, loudly
  }
}

async function* walkDir(
  dir: string,
  skipUnder: string,
): AsyncGenerator<{ path: string; skip?: string }> {
  if (isInside(dir, skipUnder)) {
    yield { path: dir, skip: 'inside the target spool (not imported into itself)' };
    return;
  }
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    yield { path: dir, skip: `cannot read directory: ${describe(err)}` };
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isSymbolicLink()) yield { path, skip: 'symbolic link (not followed)' };
    else if (e.isDirectory()) yield* walkDir(path, skipUnder);
    else if (e.isFile()) {
      if (!e.name.startsWith('.')) yield { path };
    } else yield { path, skip: 'not a regular file' };
  }
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== path);
}

function newFileImport(path: string): FileImport {
  return {
    path,
    status: 'imported',
    compression: 'none',
    format: 'json',
    ...zeroCounts(),
    problems: [],
    problemsNotListed: 0,
  };
}

function addProblem(f: FileImport, problem: ImportProblem): void {
  if (f.problems.length < MAX_LISTED_PROBLEMS) f.problems.push(problem);
  else f.problemsNotListed++;
}

interface Pending {
  signal: Signal;
  line: string;
  records: number;
}

/** Lines of Collector output → OTLP lines for the writer (the reader's normalizer, tolerant). */
class ImportSink implements LineSink {
  pending: Pending[] = [];
  pendingBytes = 0;

  constructor(
    private readonly f: FileImport,
    /** Raw sha256 of a line imported earlier as the file's unterminated tail: skip it once. */
    private skipSha256: string | undefined,
  ) {}

  line(buf: Buffer, start: number, end: number, line: number): void {
    let stop = end;
    if (stop > start && buf[stop - 1] === 0x0d) stop--;
    let from = start;
    if (line === 1 && stop - from >= 3 && buf[from] === 0xef && buf[from + 1] === 0xbb) from += 3;
    if (isBlank(buf, from, stop)) return;
    if (this.skipSha256 !== undefined) {
      const skip = this.skipSha256;
      this.skipSha256 = undefined;
      if (createHash('sha256').update(buf.subarray(start, end)).digest('hex') === skip) return;
    }
    const f = this.f;
    f.lines++;
    if (!isUtf8(buf.subarray(from, stop))) {
      this.reject(line, 'invalid UTF-8');
      return;
    }
    const text = buf.toString('utf8', from, stop);
    const signal = detectSignal(text);
    if (typeof signal !== 'string') {
      this.reject(line, signal.reason);
      return;
    }
    const result = parseOtlpJson(signal, text, { dropInvalidItems: true });
    if (!result.ok) {
      this.reject(line, result.reason);
      return;
    }
    if (result.dropped) {
      f.rejectedItems += result.dropped.count;
      addProblem(f, { line, reason: result.dropped.reason });
    }
    this.keep(signal, result.data as OtlpData);
  }

  /** One `format: proto` message (counted as a line). */
  message(bytes: Buffer, index: number): void {
    this.f.lines++;
    if (bytes.length === 0) return; // an empty request
    const decoded = decodeProtoMessage(bytes);
    if ('reason' in decoded) {
      this.reject(index, decoded.reason);
      return;
    }
    if (decoded.dropped) {
      this.f.rejectedItems += decoded.dropped.count;
      addProblem(this.f, { line: index, reason: decoded.dropped.reason });
    }
    this.keep(decoded.signal, decoded.data);
  }

  private keep(signal: Signal, data: OtlpData): void {
    const records = countRecords(signal, data);
    if (records === 0) return; // an empty request: nothing to keep
    const out = stringifyOtlpJson(data);
    this.pending.push({ signal, line: out, records });
    this.pendingBytes += out.length;
  }

  overlong(bad: BadLine): void {
    this.f.lines++;
    this.reject(bad.line, bad.reason);
  }

  private reject(line: number, reason: string): void {
    this.f.rejectedLines++;
    addProblem(this.f, { line, reason });
  }
}

function isBlank(buf: Buffer, from: number, stop: number): boolean {
  for (let i = from; i < stop; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** The signal of one line by its top-level field (TracesData / MetricsData / LogsData). */
function detectSignal(text: string): Signal | { reason: string } {
  const m = LEADING_FIELD.exec(text);
  if (m) return SIGNAL_OF_FIELD[m[1] as string] as Signal;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { reason: `invalid JSON: ${(err as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { reason: 'not an OTLP object (TracesData, MetricsData or LogsData)' };
  }
  const found = Object.keys(SIGNAL_OF_FIELD).filter(
    (k) => (value as Record<string, unknown>)[k] !== undefined,
  );
  if (found.length === 0) {
    return { reason: 'no resourceSpans, resourceMetrics or resourceLogs field: not OTLP data' };
  }
  if (found.length > 1) return { reason: `several signals in one line (${found.join(', ')})` };
  return SIGNAL_OF_FIELD[found[0] as string] as Signal;
}

interface Prepass {
  size: number;
  head: Buffer;
  sha256: string;
  /** Position after the last '\n' and the hash of the bytes before it. */
  lineEnd: number;
  lineEndSha256: string;
  /** Hash of the first `prefixAt` bytes, when asked for. */
  prefixSha256?: string;
}

/** One pass over the file: its content hash, first bytes and line-end checkpoint. */
async function prepass(handle: FileHandle, size: number, prefixAt: number): Promise<Prepass> {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  let head = Buffer.alloc(0);
  let offset = 0;
  let lineEnd = 0;
  let lineEndHash: Hash = hash.copy();
  let prefixSha256: string | undefined = prefixAt === 0 ? hash.copy().digest('hex') : undefined;
  while (offset < size) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - offset), offset);
    if (bytesRead === 0) break;
    const chunk = buf.subarray(0, bytesRead);
    if (head.length < 4) head = Buffer.concat([head, chunk.subarray(0, 4 - head.length)]);
    let from = 0;
    if (prefixSha256 === undefined && prefixAt > offset && prefixAt <= offset + bytesRead) {
      const cut = prefixAt - offset;
      hash.update(chunk.subarray(0, cut));
      prefixSha256 = hash.copy().digest('hex');
      from = cut;
    }
    const nl = chunk.lastIndexOf(0x0a);
    if (nl >= from) {
      hash.update(chunk.subarray(from, nl + 1));
      lineEnd = offset + nl + 1;
      lineEndHash = hash.copy();
      from = nl + 1;
    }
    hash.update(chunk.subarray(from));
    offset += bytesRead;
  }
  return {
    size: offset,
    head,
    sha256: hash.digest('hex'),
    lineEnd,
    lineEndSha256: lineEndHash.digest('hex'),
    ...(prefixSha256 !== undefined ? { prefixSha256 } : {}),
  };
}

/**
 * The first `size` bytes of an open file, in fresh buffers (a file stream would close the
 * handle when destroyed; the handle is read twice and closed by its owner).
 */
async function* fileChunks(handle: FileHandle, size: number): AsyncGenerator<Buffer> {
  let offset = 0;
  while (offset < size) {
    const buf = Buffer.allocUnsafe(Math.min(256 * 1024, size - offset));
    const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
    if (bytesRead === 0) return;
    offset += bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
}

/**
 * Decompressed bytes hashed for a gzip file's identity; past this (a gzip bomb, or a huge
 * archive) the compressed bytes' hash stands in, so the pre-pass stays bounded.
 */
const MAX_GUNZIP_HASH_BYTES = 1024 * 1024 * 1024;

/**
 * sha256 of a gzip file's decompressed content (none when damaged or oversized) and its first
 * decompressed bytes.
 */
async function gunzippedSha256(
  handle: FileHandle,
  size: number,
): Promise<{ sha256?: string; head: Buffer }> {
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  const source = Readable.from(fileChunks(handle, size));
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  try {
    let total = 0;
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (head.length < 4) head = Buffer.concat([head, chunk.subarray(0, 4 - head.length)]);
      total += chunk.length;
      if (total > MAX_GUNZIP_HASH_BYTES) return { head };
      hash.update(chunk);
    }
  } catch {
    return { head }; // damaged: the import pass reports where
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  return { sha256: hash.digest('hex'), head };
}

const ZSTD_MAGIC = 0xfd2fb528;

function zstdHint(head: Buffer): string | undefined {
  if (head.length >= 4 && head.readUInt32LE(0) === ZSTD_MAGIC) {
    return 'zstd-compressed (Collector `compression: zstd`): not supported; decompress it first (zstd -d)';
  }
  return undefined;
}

/**
 * The Collector file exporter's `format: proto` (and its legacy JSON + `compression`) framing:
 * each message preceded by its length as a 4-byte big-endian unsigned integer. JSON lines start
 * with `{`, whitespace or a BOM, never a 0 byte; a length prefix under 16 MiB always does.
 */
function isLengthPrefixed(head: Buffer): boolean {
  return head.length >= 1 && head[0] === 0x00;
}

/** Splits a length-prefixed stream into messages; a message over the limit stops it. */
class FrameSplitter {
  private parts: Buffer[] = [];
  private have = 0;
  /** Length of the message being collected, or -1 while reading its prefix. */
  private want = -1;
  messages = 0;
  /** Set when a prefix announced a message over the limit: nothing after it can be framed. */
  overlong: number | undefined;

  constructor(private readonly maxBytes: number) {}

  get hasPartial(): boolean {
    return this.have > 0 || this.want !== -1;
  }

  feed(chunk: Buffer, onMessage: (bytes: Buffer, index: number) => void): void {
    let off = 0;
    while (off < chunk.length && this.overlong === undefined) {
      const need = (this.want === -1 ? 4 : this.want) - this.have;
      const take = Math.min(need, chunk.length - off);
      this.parts.push(chunk.subarray(off, off + take));
      this.have += take;
      off += take;
      if (take < need) return;
      const whole = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
      this.parts = [];
      this.have = 0;
      if (this.want === -1) {
        const length = whole.readUInt32BE(0);
        if (length > this.maxBytes) {
          this.overlong = length;
          return;
        }
        this.want = length;
        if (length === 0) {
          this.want = -1;
          onMessage(Buffer.alloc(0), ++this.messages);
        }
      } else {
        this.want = -1;
        onMessage(whole, ++this.messages);
      }
    }
  }
}

interface DecodedMessage {
  signal: Signal;
  data: OtlpData;
  dropped?: { count: number; reason: string };
}

/**
 * One protobuf message of unknown signal (TracesData, MetricsData and LogsData all put their
 * resources in field 1): decoded with the receiver's strict wire pre-scan and normalised per
 * signal; the signal whose decoding is valid without dropping anything wins.
 */
function decodeProtoMessage(bytes: Buffer): DecodedMessage | { reason: string } {
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === ZSTD_MAGIC) {
    return { reason: 'zstd-compressed message (Collector `compression: zstd`): not supported' };
  }
  let fallback: DecodedMessage | undefined;
  const reasons: string[] = [];
  for (const signal of SIGNALS) {
    let value: unknown;
    try {
      value = decodeRequest(signal, bytes);
    } catch (err) {
      reasons.push(`${signal}: ${describe(err)}`);
      continue;
    }
    const result = normalizeOtlpItems(signal, value);
    if (!result.ok) {
      reasons.push(`${signal}: ${result.reason}`);
      continue;
    }
    if (!result.dropped) return { signal, data: result.data as OtlpData };
    fallback ??= { signal, data: result.data as OtlpData, dropped: result.dropped };
  }
  return (
    fallback ?? {
      reason: `not a TracesData, MetricsData or LogsData message (${reasons.join('; ')})`,
    }
  );
}

interface Ctx {
  writer: SpoolWriter;
  state: ImportState;
  dir: string;
  force: boolean;
  maxLineBytes: number;
}

async function importFile(path: string, ctx: Ctx): Promise<FileImport> {
  const f = newFileImport(path);
  const fail = (reason: string): FileImport => {
    f.status = 'failed';
    addProblem(f, { reason });
    return f;
  };
  let handle: FileHandle;
  try {
    handle = await open(path, READ_NOFOLLOW_FLAGS);
  } catch (err) {
    if (errorCode(err) === 'ELOOP') return fail('is a symbolic link (not followed)');
    return fail(`cannot open: ${describe(err)}`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return fail(st.isDirectory() ? 'is a directory' : 'not a regular file');
    const previous = [...ctx.state.files].reverse().find((e) => e.path === path);
    const resumable =
      previous?.prefixBytes !== undefined &&
      previous.prefixSha256 !== undefined &&
      previous.prefixBytes > 0 &&
      previous.prefixBytes <= st.size
        ? previous
        : undefined;
    let pre: Prepass;
    try {
      pre = await prepass(handle, st.size, resumable?.prefixBytes ?? 0);
    } catch (err) {
      return fail(`cannot read: ${describe(err)}`);
    }
    if (pre.size === 0) {
      f.status = 'skipped';
      addProblem(f, { reason: 'empty file' });
      return f;
    }
    const gzip = pre.head.length >= 2 && pre.head[0] === 0x1f && pre.head[1] === 0x8b;
    f.compression = gzip ? 'gzip' : 'none';
    // Identity is the decompressed content: `out.json` and a gzip copy of it are the same data.
    let head = pre.head;
    if (gzip) {
      const inner = await gunzippedSha256(handle, pre.size);
      if (inner.sha256 !== undefined) pre.sha256 = inner.sha256;
      head = inner.head;
    }
    const proto = isLengthPrefixed(head);
    f.format = proto ? 'proto' : 'json';
    f.sha256 = pre.sha256;
    const same = ctx.state.files.find((e) => e.sha256 === pre.sha256);
    if (same && !ctx.force) {
      f.status = 'duplicate';
      addProblem(f, {
        reason:
          `already imported on ${same.importedAt} (same content${same.path !== path ? `, as ${same.path}` : ''}); ` +
          'not imported again (--force imports it anyway)',
      });
      return f;
    }
    const hint = zstdHint(head);
    if (hint) return fail(hint);
    let from = 0;
    let skipSha256: string | undefined;
    if (!gzip && !proto && !ctx.force && resumable && pre.prefixSha256 === resumable.prefixSha256) {
      from = resumable.prefixBytes as number;
      f.resumedAt = from;
      skipSha256 = resumable.tailSha256;
    }
    if (previous && f.resumedAt === undefined && !ctx.force) {
      addProblem(f, {
        reason:
          `imported before (${previous.importedAt}, ${previous.records} records) with other content: ` +
          'imported in full; if it is the same data grown (not a new file under an old name), ' +
          'the earlier records are now in the spool twice',
      });
    }
    const sink = new ImportSink(f, skipSha256);
    const splitter = new LineSplitter(ctx.maxLineBytes, from, ctx.maxLineBytes * 16);
    const frames = new FrameSplitter(ctx.maxLineBytes);
    const onMessage = (bytes: Buffer, index: number): void => sink.message(bytes, index);
    const writes: Promise<boolean>[] = [];
    let writeBatch: Pending[] = [];
    const drain = async (): Promise<void> => {
      for (const p of sink.pending) {
        writes.push(ctx.writer.write(p.signal, p.line, p.records));
        writeBatch.push(p);
      }
      sink.pending = [];
      if (sink.pendingBytes < MAX_IN_FLIGHT_BYTES) return;
      sink.pendingBytes = 0;
      await settle();
    };
    const settle = async (): Promise<void> => {
      const results = await Promise.all(writes.splice(0));
      results.forEach((ok, i) => {
        const p = writeBatch[i] as Pending;
        if (ok) {
          f.linesImported[p.signal]++;
          f.records[p.signal] += p.records;
        } else f.notWritten += p.records;
      });
      writeBatch = [];
    };
    const source: Readable | undefined =
      pre.size > 0 ? Readable.from(fileChunks(handle, pre.size)) : undefined;
    let stream: AsyncIterable<Buffer> = source ?? Readable.from([]);
    if (gzip && source) {
      const gunzip = createGunzip({ chunkSize: 256 * 1024 });
      source.on('error', (err) => gunzip.destroy(err));
      source.pipe(gunzip);
      stream = gunzip;
    }
    let damaged: string | undefined;
    try {
      for await (const chunk of stream) {
        if (proto) {
          frames.feed(chunk, onMessage);
          await drain();
          if (frames.overlong !== undefined) {
            f.rejectedLines++;
            damaged =
              `message ${frames.messages + 1} announces ${frames.overlong} bytes, more than the ` +
              `${ctx.maxLineBytes}-byte limit: the rest of the file is not read`;
            break;
          }
          continue;
        }
        splitter.feed(chunk, sink);
        if (splitter.scanExceeded) {
          const bad = splitter.takeOverlongTail('scan');
          if (bad) sink.overlong(bad);
          damaged = 'stopped at a line with no newline far beyond the line limit';
          break;
        }
        await drain();
      }
    } catch (err) {
      damaged = `${gzip ? 'gzip stream damaged' : 'read failed'} after ${proto ? `message ${frames.messages}` : `line ${splitter.lineNo}`}: ${describe(err)}`;
    } finally {
      source?.destroy();
    }
    // The last line may lack its newline (a file saved by hand): read it too.
    let tailSha256: string | undefined;
    if (damaged === undefined && proto && frames.hasPartial) {
      f.rejectedLines++;
      addProblem(f, {
        line: frames.messages + 1,
        reason: 'message cut short at the end of the file',
      });
    }
    if (damaged === undefined && !proto && splitter.hasPartial) {
      if (splitter.overlongPending) {
        const bad = splitter.takeOverlongTail('eof');
        if (bad) sink.overlong(bad);
      } else {
        const before = sink.pending.length;
        const tail = new TailCapture();
        splitter.feed(Buffer.from('\n'), {
          line: (buf, s, e, n) => {
            tail.sha256 = createHash('sha256').update(buf.subarray(s, e)).digest('hex');
            sink.line(buf, s, e, n);
          },
          overlong: (bad) => sink.overlong(bad),
        });
        if (sink.pending.length > before) tailSha256 = tail.sha256;
      }
    }
    await drain();
    await settle();
    await ctx.writer.flush();
    if (damaged !== undefined) addProblem(f, { reason: damaged });
    if (damaged !== undefined && f.lines === 0) f.status = 'failed';
    if (f.status === 'imported' && damaged === undefined) {
      const total = sum(f.records);
      const entry: StateEntry = {
        sha256: pre.sha256,
        path,
        bytes: pre.size,
        importedAt: new Date().toISOString(),
        records: total + (resumable && f.resumedAt !== undefined ? resumable.records : 0),
      };
      if (!gzip && !proto) {
        entry.prefixBytes = pre.lineEnd;
        entry.prefixSha256 = pre.lineEndSha256;
        if (tailSha256 !== undefined) entry.tailSha256 = tailSha256;
      }
      ctx.state.files.push(entry);
    }
    return f;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

class TailCapture {
  sha256: string | undefined;
}

function sum(b: BySignal): number {
  return b.traces + b.metrics + b.logs;
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && typeof e.message === 'string') return e.message;
  return String(err);
}

export interface ImportSummary {
  schemaVersion: typeof IMPORT_SCHEMA_VERSION;
  dir: string;
  files: FileImport[];
  /** Paths seen and not opened: symlinks, special files, unreadable directories. */
  skipped: { path: string; reason: string }[];
  total: {
    files: number;
    filesImported: number;
    filesDuplicate: number;
    filesFailed: number;
  } & ImportCounts & { warnings: number };
}

/** Imports Collector `file` exporter output into the spool at `dir` (one writer, the SpoolWriter). */
export async function importFiles(
  dir: string,
  paths: string[],
  options: { force?: boolean; maxLineBytes?: number } = {},
): Promise<ImportSummary> {
  const state = readState(dir);
  // 'batch': a file is remembered as imported only once its records are on disk.
  const writer = new SpoolWriter({ dir, durability: 'batch' });
  const ctx: Ctx = {
    writer,
    state,
    dir,
    force: options.force === true,
    maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
  };
  const files: FileImport[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const target = resolve(dir);
  try {
    for await (const item of walk(paths, target)) {
      if (item.skip !== undefined) {
        skipped.push({ path: item.path, reason: item.skip });
        continue;
      }
      if (isInside(item.path, target)) {
        skipped.push({
          path: item.path,
          reason: 'inside the target spool (not imported into itself)',
        });
        continue;
      }
      const f = await importFile(item.path, ctx);
      files.push(f);
      if (f.status === 'imported') {
        try {
          writeState(dir, state);
        } catch (err) {
          addProblem(f, {
            reason: `could not remember the import in ${SPOOL_FOLDERS.import}/${SPOOL_FILES.imported}: ${describe(err)}`,
          });
        }
      }
    }
  } finally {
    await writer.shutdown();
  }
  const total: ImportSummary['total'] = {
    files: files.length,
    filesImported: 0,
    filesDuplicate: 0,
    filesFailed: 0,
    ...zeroCounts(),
    warnings: skipped.length,
  };
  for (const f of files) {
    if (f.status === 'imported') total.filesImported++;
    else if (f.status === 'duplicate') total.filesDuplicate++;
    else if (f.status === 'failed') total.filesFailed++;
    addCounts(total, f);
    total.warnings += f.problems.length + f.problemsNotListed;
  }
  return { schemaVersion: IMPORT_SCHEMA_VERSION, dir, files, skipped, total };
}

function recordsText(r: BySignal): string {
  return `${r.traces} spans, ${r.metrics} metric points, ${r.logs} log records`;
}

function printHuman(s: ImportSummary): void {
  const out = process.stdout;
  for (const f of s.files) {
    const head =
      f.status === 'duplicate'
        ? 'skipped (already imported)'
        : f.status === 'skipped'
          ? 'skipped'
          : f.status === 'failed'
            ? 'FAILED'
            : `${f.lines} ${f.format === 'proto' ? 'messages' : 'lines'}` +
              `${f.resumedAt !== undefined ? ` (continued at byte ${f.resumedAt})` : ''}` +
              `${f.format === 'proto' ? ', proto' : ''}${f.compression === 'gzip' ? ', gzip' : ''}: ${recordsText(f.records)}` +
              (f.rejectedLines ? `; ${f.rejectedLines} lines rejected` : '') +
              (f.rejectedItems ? `; ${f.rejectedItems} items rejected` : '') +
              (f.notWritten ? `; ${f.notWritten} records not written` : '');
    out.write(`${f.path}: ${head}\n`);
    for (const p of f.problems) {
      out.write(`  ${p.line !== undefined ? `line ${p.line}: ` : ''}${p.reason}\n`);
    }
    if (f.problemsNotListed) out.write(`  … and ${f.problemsNotListed} more\n`);
  }
  for (const k of s.skipped) out.write(`${k.path}: skipped: ${k.reason}\n`);
  const t = s.total;
  out.write(
    `imported ${recordsText(t.records)} from ${t.filesImported} of ${t.files} files into ${s.dir}` +
      ` (${t.lines} lines read, ${t.rejectedLines} rejected, ${t.rejectedItems} items rejected` +
      `${t.filesDuplicate ? `, ${t.filesDuplicate} already imported` : ''})\n`,
  );
}

/**
 * `spool import PATH…`: OpenTelemetry Collector `file` exporter output (any file name; each line
 * a TracesData, MetricsData or LogsData, signals mixed; plain or gzip) into the spool, through
 * the reader's normalizer and the spool writer. Directories are walked; symlinks are never
 * followed. Content already imported (by sha256, remembered in `<spool>/import/imported.json`)
 * is skipped unless --force; a file that grew since its import continues after what was imported.
 */
export async function importCommand(paths: string[], options: ImportOptions): Promise<void> {
  const maxLineBytes = Number(options.maxLineBytes);
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new CliError(`--max-line-bytes must be a positive integer`, EXIT_USAGE);
  }
  const dir = spoolDirFrom(options, { createIfNone: true });
  const summary = await importFiles(dir, paths, {
    force: options.force === true,
    maxLineBytes,
  });
  if (summary.files.length === 0) {
    throw new CliError(
      `no files to import in ${paths.join(', ')}` +
        (summary.skipped.length
          ? ` (${summary.skipped.length} skipped: symlinks, special files)`
          : ''),
    );
  }
  if (options.json) printJson(summary);
  else printHuman(summary);
  const t = summary.total;
  if (t.filesFailed > 0 || t.notWritten > 0) {
    process.stderr.write(
      `spool: ${t.filesFailed} file(s) could not be read` +
        (t.notWritten ? `, ${t.notWritten} records could not be written` : '') +
        '\n',
    );
    process.exitCode = EXIT_FAILURE;
  } else if (t.warnings > 0) {
    process.stderr.write(`spool: import finished with ${t.warnings} warning(s)\n`);
  }
}
