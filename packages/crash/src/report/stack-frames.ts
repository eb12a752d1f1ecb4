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
  /** The raw frame text after `at `, scrubbed. */
  raw: string;
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
    if (loc) {
      frame.file = scrub(fileUrlToPathText(loc[1] ?? ''));
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
    frames.push(frame);
    if (frames.length >= MAX_FRAMES) break;
  }
  return frames;
}

/** Frames kept per error (Error.stackTraceLimit is raised to 50 while installed). */
export const MAX_FRAMES = 100;
