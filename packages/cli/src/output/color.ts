import pc from 'picocolors';

/**
 * The one place that decides whether `spool` writes colour (and, with it, the other escape
 * codes of in-place progress). In order, the first rule that applies wins:
 *
 * 1. `--no-color` (global flag) or `--json` on the command: no colour.
 * 2. `NO_COLOR` set and not empty (https://no-color.org): no colour, whatever else is set.
 * 3. `FORCE_COLOR`: `0` or `false` disables; any other value (`1`, `2`, `3`, `true`, empty)
 *    enables, even when the output is not a TTY (Node's and chalk's convention).
 * 4. `TERM=dumb`: no colour.
 * 5. Otherwise colour exactly when the stream is a TTY.
 */
export interface ColorInputs {
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** `--no-color` was given. */
  noColorFlag?: boolean;
}

export function colorDecision({ env, isTTY, noColorFlag }: ColorInputs): boolean {
  if (noColorFlag === true) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

let noColorFlag = false;

/** Set from the global `--no-color` flag before a command runs (reset on every run). */
export function setNoColorFlag(value: boolean): void {
  noColorFlag = value;
}

export function noColorFlagSet(): boolean {
  return noColorFlag;
}

/** Whether output to `stream` gets colour (see {@link colorDecision}). */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return colorDecision({ env: process.env, isTTY: stream.isTTY === true, noColorFlag });
}

export type Colors = ReturnType<typeof pc.createColors>;

/** picocolors functions that colour only when {@link useColor} says so (never with `json`). */
export function colors(options: { json?: boolean } = {}, stream = process.stdout): Colors {
  return pc.createColors(options.json !== true && useColor(stream));
}
