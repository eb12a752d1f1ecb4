/** Node's `--unhandled-rejections` modes (https://nodejs.org/api/cli.html#--unhandled-rejectionsmode). */
export type UnhandledRejectionsMode = 'throw' | 'strict' | 'warn' | 'none' | 'warn-with-error-code';

const MODES = new Set<string>(['throw', 'strict', 'warn', 'none', 'warn-with-error-code']);

/** Splits NODE_OPTIONS the way Node does for the simple cases: whitespace, with "double quotes". */
function splitNodeOptions(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null)
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] as string));
  return out;
}

function lastModeIn(args: readonly string[]): UnhandledRejectionsMode | undefined {
  let mode: UnhandledRejectionsMode | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    let value: string | undefined;
    if (arg.startsWith('--unhandled-rejections='))
      value = arg.slice('--unhandled-rejections='.length);
    else if (arg === '--unhandled-rejections') value = args[i + 1];
    if (value !== undefined && MODES.has(value)) mode = value as UnhandledRejectionsMode;
  }
  return mode;
}

/**
 * The mode this process runs under. Command-line flags (process.execArgv) are applied after
 * NODE_OPTIONS by Node, so they win; within each source the last occurrence wins. Default: throw.
 */
export function unhandledRejectionsMode(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): UnhandledRejectionsMode {
  return (
    lastModeIn(execArgv) ??
    (nodeOptions ? lastModeIn(splitNodeOptions(nodeOptions)) : undefined) ??
    'throw'
  );
}

/** Whether an unhandled rejection takes the process down in this mode (unless an uncaughtException handler exists). */
export function rejectionIsFatal(mode: UnhandledRejectionsMode): boolean {
  return mode === 'throw' || mode === 'strict';
}
