import Table from 'cli-table3';
import type { Colors } from './color.js';
import { displayWidth, ellipsize, oneLine, terminalWidth } from './terminal.js';

/** One column of a {@link renderTable} table. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
  /**
   * Free text (span names, messages, hosts): may be cut with `…` to fit the terminal, widest
   * first. Other columns (numbers, ids, times) are never cut.
   */
  flex?: boolean;
  /**
   * Columns that may be left out when the table cannot fit otherwise (after cutting free text
   * and wrapping headers): the lowest number goes first. Without it a column always shows.
   */
  hideOrder?: number;
}

/** A flexible column is never cut below this many columns of text (or its header's width). */
const MIN_FLEX_WIDTH = 12;

/**
 * Column widths of the text (without padding) that fit `width` terminal columns, shrinking
 * only the flexible columns, the widest first. Exported for tests.
 */
export function fitColumns(
  natural: readonly number[],
  flex: readonly boolean[],
  width: number | undefined,
  minFlex: readonly number[] = natural.map(() => MIN_FLEX_WIDTH),
): number[] {
  const widths = [...natural];
  if (width === undefined) return widths;
  // cli-table3 layout: one border column before each cell and after the last, 1 space padding each side.
  let excess = tableWidth(widths) - width;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      const w = widths[i] as number;
      if (flex[i] && w > Math.min(natural[i] as number, minFlex[i] as number)) {
        if (widest < 0 || w > (widths[widest] as number)) widest = i;
      }
    }
    if (widest < 0) break; // nothing left to cut: the terminal wraps
    widths[widest] = (widths[widest] as number) - 1;
    excess--;
  }
  return widths;
}

/** `crash-free sessions` → `crash-free\nsessions` when the column's cells are narrower. */
function wrapHeader(header: string, width: number): string {
  const lines: string[] = [];
  for (const word of header.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && displayWidth(last) + 1 + displayWidth(word) <= width)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.join('\n');
}

const headerWidth = (header: string): number =>
  Math.max(...header.split('\n').map((l) => displayWidth(l)));

/** Printed width of a table whose text columns are `widths` wide (cli-table3 layout). */
const tableWidth = (widths: readonly number[]): number => widths.reduce((sum, w) => sum + w + 3, 1);

/**
 * The one table every command prints. On a TTY it fits `process.stdout.columns`: first the
 * widest free-text column(s) are cut with `…`, then long headers of narrow columns wrap onto
 * two lines, then columns marked `hideOrder` are left out; numbers are never cut. Elsewhere
 * (a pipe, a file) nothing is cut or hidden, so no data is lost to a narrow default. Free-text
 * cells are always put on one line.
 */
export function renderTable(
  allColumns: readonly Column[],
  rows: ReadonlyArray<readonly string[]>,
  c: Colors,
  options: { width?: number | undefined } = { width: terminalWidth() },
): string {
  const allCells = rows.map((row) =>
    allColumns.map((col, i) => (col.flex ? oneLine(row[i] ?? '') : (row[i] ?? ''))),
  );
  let keep = allColumns.map((_, i) => i);
  const hideable = allColumns
    .map((col, i) => ({ i, order: col.hideOrder }))
    .filter((x): x is { i: number; order: number } => x.order !== undefined)
    .sort((a, b) => a.order - b.order);
  for (;;) {
    const columns = keep.map((i) => allColumns[i] as Column);
    const cells = allCells.map((row) => keep.map((i) => row[i] as string));
    const cellWidth = columns.map((_, j) =>
      Math.max(0, ...cells.map((row) => displayWidth(row[j] as string))),
    );
    let headers = columns.map((col) => col.header);
    const natural = headers.map((h, j) => Math.max(displayWidth(h), cellWidth[j] as number));
    const minFlex = columns.map((col) =>
      Math.max(MIN_FLEX_WIDTH, Math.min(displayWidth(col.header), 24)),
    );
    const flex = columns.map((col) => col.flex === true);
    let widths = fitColumns(natural, flex, options.width, minFlex);
    if (options.width !== undefined && tableWidth(widths) > options.width) {
      headers = headers.map((h, j) =>
        flex[j] ? h : wrapHeader(h, Math.max(cellWidth[j] as number, 1)),
      );
      const wrapped = headers.map((h, j) => Math.max(headerWidth(h), cellWidth[j] as number));
      widths = fitColumns(wrapped, flex, options.width, minFlex);
    }
    const next = hideable.find((x) => keep.includes(x.i));
    if (options.width !== undefined && tableWidth(widths) > options.width && next) {
      keep = keep.filter((i) => i !== next.i);
      continue;
    }
    const table = new Table({
      head: headers.map((h, j) => (flex[j] ? ellipsize(h, widths[j] as number) : h)),
      colAligns: columns.map((col) => col.align ?? 'left'),
      style: {
        head: c.isColorSupported ? ['cyan'] : [],
        border: c.isColorSupported ? ['grey'] : [],
      },
      wordWrap: false,
    });
    for (const row of cells) {
      table.push(row.map((cell, j) => (flex[j] ? ellipsize(cell, widths[j] as number) : cell)));
    }
    return table.toString();
  }
}
