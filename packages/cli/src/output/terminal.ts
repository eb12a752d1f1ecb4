import { stripVTControlCharacters } from 'node:util';
import { noColorFlagSet } from './color.js';

/**
 * Terminal facts the commands act on, decided here and only here: how wide a table may be,
 * whether progress may be drawn, whether a question may be asked.
 */

/** Columns a table or line may use: the terminal width on a TTY; undefined (no limit) otherwise. */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number | undefined {
  if (stream.isTTY !== true) return undefined;
  const columns = stream.columns;
  return typeof columns === 'number' && columns > 0 ? columns : 80;
}

/**
 * In-place progress on stderr: only on a TTY, never with `--json`, `NO_COLOR`, `--no-color` or
 * `TERM=dumb` (the line is redrawn with escape codes).
 */
export function progressAllowed(
  options: { json?: boolean } = {},
  stream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (options.json === true || stream.isTTY !== true) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb' || noColorFlagSet()) return false;
  return true;
}

/** Printed width of a string: escape codes do not count, wide (CJK, emoji) characters count 2. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of stripVTControlCharacters(text)) width += charWidth(ch.codePointAt(0) ?? 0);
  return width;
}

function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp >= 0x300 && cp <= 0x36f) return 0; // combining marks
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

/**
 * `text` cut to at most `width` columns, ending in `…` when cut. Escape codes are dropped from
 * a cut string (a half-coloured cell is worse than a plain one); an uncut string is returned as is.
 */
export function ellipsize(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  const plain = stripVTControlCharacters(text);
  let out = '';
  let used = 0;
  for (const ch of plain) {
    const w = charWidth(ch.codePointAt(0) ?? 0);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return out + '…';
}

/** Free text on one line: runs of whitespace (newlines too) become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
