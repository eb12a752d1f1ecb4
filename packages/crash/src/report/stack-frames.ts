import {
  closeSync,
  constants as fsConstants,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
} from 'node:fs';
import { findSourceMap, SourceMap, type SourceMapPayload } from 'node:module';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TextScrubber } from '@otelspool/exporter-jsonl/write-path';

/** One parsed V8 stack frame. Paths are already scrubbed. */
export interface StackFrame {
  /** Function (with receiver type when V8 gives one), e.g. `Server.handle`; absent for top-level code. */
  function?: string;
  /** File path or URL (`file://` URLs turned into paths), `node:internal/...` for Node's own code. */
  file?: string;
  line?: number;
  column?: number;
  /** The frame belongs to the application: not Node internals, not node_modules, under appRoot when given. */
  inApp: boolean;
  /** `async` frames (V8's `at async fn (...)`). */
  async?: boolean;
  /** The raw frame text after `at `, scrubbed (the running JavaScript's location). */
  raw: string;
  /**
   * Set when `file`/`line`/`column` were mapped through a source map (the app's `.ts`, say):
   * where the running JavaScript was, scrubbed.
   */
  generated?: { file: string; line: number; column: number };
  /**
   * Source lines around `line` (in-app frames whose source was readable), scrubbed:
   * `lines[i]` is line `startLine + i` (1-based) of `file`.
   */
  context?: { startLine: number; lines: string[] };
}

const FRAME_WITH_LOCATION = /^(?:async\s+)?(?:new\s+)?(.*?)\s+\((.*)\)$/;
const LOCATION = /^(.*?):(\d+):(\d+)$/;

function fileUrlToPathText(file: string): string {
  if (!file.startsWith('file://')) return file;
  try {
    return decodeURIComponent(new URL(file).pathname).replace(/^\/([A-Za-z]:)/, '$1');
  } catch {
    return file.slice('file://'.length);
  }
}

/** Whether a (scrubbed or raw) file path belongs to the application. */
export function isInAppFile(file: string | undefined, appRoot?: string): boolean {
  if (!file) return false;
  if (file.startsWith('node:') || file.startsWith('internal/') || file === 'native') return false;
  if (/[\\/]node_modules[\\/]/.test(file)) return false;
  if (!file.includes('/') && !file.includes('\\')) return false; // `<anonymous>`, `[worker eval]`, `evalmachine`
  if (appRoot && !file.startsWith(appRoot)) return false;
  return true;
}

/**
 * Parses a V8 `Error.stack` into frames. Lines that are not `at ...` frames (the message, which
 * may span several lines) are skipped. Never throws: unparseable frames keep only `raw`.
 */
export function parseStack(
  stack: string | undefined,
  scrub: TextScrubber,
  appRoot?: string,
): StackFrame[] {
  if (typeof stack !== 'string') return [];
  const scrubbedRoot = appRoot ? scrub(fileUrlToPathText(appRoot)) : undefined;
  const sources = new SourceLookup();
  const frames: StackFrame[] = [];
  for (const rawLine of stack.split('\n')) {
    const line = rawLine.trim();
    if (!line.startsWith('at ')) continue;
    // Parsed before scrubbing: `file://` URLs must become paths before the home dir turns into `~`.
    const body = line.slice(3);
    const frame: StackFrame = { inApp: false, raw: scrub(body) };
    if (body.startsWith('async ')) frame.async = true;
    let location = body;
    const withFn = FRAME_WITH_LOCATION.exec(body);
    if (withFn) {
      const fn = withFn[1];
      if (fn) frame.function = scrub(fn);
      location = withFn[2] ?? '';
    } else if (frame.async) {
      location = body.slice('async '.length);
    }
    const loc = LOCATION.exec(location);
    let rawFile: string | undefined;
    if (loc) {
      rawFile = loc[1] ?? '';
      frame.file = scrub(fileUrlToPathText(rawFile));
      frame.line = Number(loc[2]);
      frame.column = Number(loc[3]);
    } else if (/^index \d+$/.test(location)) {
      // `at async Promise.all (index 0)`: a position in the combinator's input, not a file
    } else if (location === 'native' || location === '<anonymous>') {
      frame.file = location;
    } else if (!withFn) {
      // `at fn` with no location at all (e.g. `at Array.forEach`, `at new Promise`)
      frame.function = scrub(location);
    } else {
      frame.file = scrub(fileUrlToPathText(location));
    }
    frame.inApp = isInAppFile(frame.file, scrubbedRoot);
    if (rawFile !== undefined && frame.inApp) sources.resolve(frame, rawFile, scrub, scrubbedRoot);
    frames.push(frame);
    if (frames.length >= MAX_FRAMES) break;
  }
  return frames;
}

/** Frames kept per error (Error.stackTraceLimit is raised to 50 while installed). */
export const MAX_FRAMES = 100;

/** Distinct generated files looked up per stack, and in-app frames given source context. */
const MAX_LOOKUP_FILES = 16;
const MAX_CONTEXT_FRAMES = 10;
const CONTEXT_LINES = 3;
const MAX_CONTEXT_LINE = 240;
/** Bigger source or map files are not read on the crash path. */
const MAX_SOURCE_BYTES = 1024 * 1024;
const MAX_MAP_BYTES = 16 * 1024 * 1024;
/** The `sourceMappingURL` comment is at the end of the file; only its tail is read. */
const MAPPING_TAIL_BYTES = 8 * 1024;
const SOURCE_MAPPING_URL = /\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/;

interface LoadedMap {
  map: SourceMap;
  /** URL the map's relative `sources` resolve against (undefined: Node already resolved them). */
  base: string | undefined;
  payload: SourceMapPayload;
}

/**
 * Maps in-app frames through the app's source maps and reads a few lines around each one, on
 * the crash path: synchronous, bounded (file counts and sizes), and never throwing. Node's own
 * source map support does the decoding: `module.findSourceMap` when Node already loaded the
 * map (`--enable-source-maps`, `process.setSourceMapsEnabled`), else a `SourceMap` built from
 * the file's `//# sourceMappingURL` (https://nodejs.org/api/module.html#source-map-support).
 */
class SourceLookup {
  private readonly maps = new Map<string, LoadedMap | undefined>();
  private readonly texts = new Map<string, string[] | undefined>();
  private contextFrames = 0;

  resolve(frame: StackFrame, rawFile: string, scrub: TextScrubber, scrubbedRoot?: string): void {
    try {
      const path = toLocalPath(rawFile);
      if (path === undefined || frame.line === undefined || frame.column === undefined) return;
      const loaded = this.mapOf(path);
      // The file whose lines are shown as context: the generated file until the frame is
      // mapped; then the original file, or none (only the map's sourcesContent) when the
      // original is not a local path (`webpack://…`): the bundle's lines at the original line
      // numbers would be code that never ran there.
      let sourcePath: string | undefined = path;
      let sourcesContent: string | undefined;
      if (loaded !== undefined) {
        const entry = loaded.map.findEntry(frame.line - 1, frame.column - 1);
        if ('originalSource' in entry && typeof entry.originalSource === 'string') {
          const original = resolveSource(entry.originalSource, loaded);
          const originalPath = original !== undefined ? toLocalPath(original) : undefined;
          const shown = scrub(fileUrlToPathText(originalPath ?? entry.originalSource));
          if (isInAppFile(shown, scrubbedRoot)) {
            frame.generated = { file: frame.file ?? '', line: frame.line, column: frame.column };
            frame.file = shown;
            frame.line = entry.originalLine + 1;
            frame.column = entry.originalColumn + 1;
            sourcePath = originalPath;
            const index = loaded.payload.sources.indexOf(entry.originalSource);
            const fromPayload = index >= 0 ? loaded.payload.sourcesContent?.[index] : undefined;
            if (typeof fromPayload === 'string') sourcesContent = fromPayload;
          }
        }
      }
      if (this.contextFrames < MAX_CONTEXT_FRAMES) {
        const lines = this.linesOf(sourcePath, sourcesContent);
        if (lines !== undefined && frame.line <= lines.length) {
          this.contextFrames++;
          const start = Math.max(1, frame.line - CONTEXT_LINES);
          const end = Math.min(lines.length, frame.line + CONTEXT_LINES);
          frame.context = {
            startLine: start,
            lines: lines
              .slice(start - 1, end)
              .map((l) =>
                scrub(l.length > MAX_CONTEXT_LINE ? l.slice(0, MAX_CONTEXT_LINE) + '…' : l),
              ),
          };
        }
      }
    } catch {
      // A broken map or an unreadable file leaves the frame as V8 gave it.
    }
  }

  private mapOf(path: string): LoadedMap | undefined {
    if (this.maps.has(path)) return this.maps.get(path);
    if (this.maps.size >= MAX_LOOKUP_FILES) return undefined;
    let loaded: LoadedMap | undefined;
    try {
      const known = findSourceMap(path);
      if (known !== undefined) loaded = { map: known, base: undefined, payload: known.payload };
      else loaded = loadMapFromComment(path);
    } catch {
      loaded = undefined;
    }
    this.maps.set(path, loaded);
    return loaded;
  }

  private linesOf(path: string | undefined, fallback: string | undefined): string[] | undefined {
    if (path === undefined) {
      return fallback !== undefined && fallback.length <= MAX_SOURCE_BYTES
        ? fallback.split(/\r?\n/)
        : undefined;
    }
    if (!this.texts.has(path)) {
      if (this.texts.size >= MAX_LOOKUP_FILES) return undefined;
      const text = readBounded(path, MAX_SOURCE_BYTES);
      this.texts.set(path, text?.split(/\r?\n/));
    }
    return (
      this.texts.get(path) ??
      (fallback !== undefined && fallback.length <= MAX_SOURCE_BYTES
        ? fallback.split(/\r?\n/)
        : undefined)
    );
  }
}

/** An absolute local path for a frame's file, or undefined for `node:`, `http:`, eval, ... */
function toLocalPath(file: string): string | undefined {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  return isAbsolute(file) ? file : undefined;
}

function resolveSource(source: string, loaded: LoadedMap): string | undefined {
  if (loaded.base === undefined) return source;
  try {
    return new URL((loaded.payload.sourceRoot ?? '') + source, loaded.base).href;
  } catch {
    return undefined;
  }
}

function loadMapFromComment(path: string): LoadedMap | undefined {
  const tail = readTail(path, MAPPING_TAIL_BYTES);
  const match = tail === undefined ? null : SOURCE_MAPPING_URL.exec(tail);
  const url = match?.[1];
  if (url === undefined) return undefined;
  let text: string | undefined;
  let base: string;
  const inline = /^data:application\/json(?:;charset=[\w-]+)?;base64,(.*)$/.exec(url);
  if (inline) {
    text = Buffer.from(inline[1] ?? '', 'base64').toString('utf8');
    base = pathToFileURL(path).href;
  } else {
    const mapUrl = new URL(url, pathToFileURL(path));
    if (mapUrl.protocol !== 'file:') return undefined;
    text = readBounded(fileURLToPath(mapUrl), MAX_MAP_BYTES);
    base = mapUrl.href;
  }
  if (text === undefined || text.length > MAX_MAP_BYTES) return undefined;
  const payload = JSON.parse(text) as SourceMapPayload;
  if (!Array.isArray(payload.sources) || typeof payload.mappings !== 'string') return undefined;
  return { map: new SourceMap(payload), base, payload };
}

/**
 * Opened non-blocking: a FIFO (or device) named by a source map or a stack frame must not block
 * the dying process; only regular files are read.
 */
const READ_NONBLOCK = fsConstants.O_RDONLY | fsConstants.O_NONBLOCK;

function readBounded(path: string, maxBytes: number): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, READ_NONBLOCK);
    if (!fstatSync(fd).isFile() || fstatSync(fd).size > maxBytes) return undefined;
    return readFileSync(fd, 'utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readTail(path: string, bytes: number): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, READ_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    const length = Math.min(bytes, stat.size);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, stat.size - length);
    return buffer.toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const MAX_STORED_CONTEXT_LINES = 2 * CONTEXT_LINES + 1;

/**
 * The source-map and source-context fields of a stored frame (`generated`, `context`), checked,
 * for readers of crash report files: anything malformed is left out rather than trusted.
 */
export function frameSourceFieldsOf(
  v: Record<string, unknown>,
): Pick<StackFrame, 'generated' | 'context'> {
  const out: Pick<StackFrame, 'generated' | 'context'> = {};
  const g = v.generated;
  if (typeof g === 'object' && g !== null) {
    const { file, line, column } = g as Record<string, unknown>;
    if (typeof file === 'string' && isPosition(line) && isPosition(column)) {
      out.generated = { file, line, column };
    }
  }
  const c = v.context;
  if (typeof c === 'object' && c !== null) {
    const { startLine, lines } = c as Record<string, unknown>;
    if (
      isPosition(startLine) &&
      Array.isArray(lines) &&
      lines.length <= MAX_STORED_CONTEXT_LINES &&
      lines.every((l) => typeof l === 'string' && l.length <= MAX_CONTEXT_LINE + 1)
    ) {
      out.context = { startLine, lines: lines as string[] };
    }
  }
  return out;
}

function isPosition(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1;
}
