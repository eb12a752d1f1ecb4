/**
 * Exit codes of `spool`: one code per meaning, the same in every command. The table below is
 * what `spool --help` prints and packages/cli/README.md documents; add a meaning here, never a
 * bare number in a command.
 */
export const EXIT_OK = 0;
/**
 * The command did not do what was asked: an error, a broken `spool check` budget, a missing,
 * empty or unreadable spool, an id that matches nothing, a sync that did not deliver everything
 * (no consent, partial success, endpoint unreachable).
 */
export const EXIT_FAILURE = 1;
/** Usage error: an unknown option, a bad value, several spools and no `--service` to pick one. */
export const EXIT_USAGE = 2;
/** A destructive action was not confirmed (declined, or no TTY to ask on and no `--yes`). Nothing was changed. */
export const EXIT_NOT_CONFIRMED = 3;

export const EXIT_CODES: ReadonlyArray<{ code: number; meaning: string }> = [
  { code: EXIT_OK, meaning: 'success (for check: every budget holds)' },
  {
    code: EXIT_FAILURE,
    meaning:
      'failure: an error, a broken check budget, a missing/empty/unreadable spool, an unknown id, a sync that did not deliver everything',
  },
  {
    code: EXIT_USAGE,
    meaning:
      'usage error: an unknown option or command, a bad value, several spools and no --service to pick one',
  },
  {
    code: EXIT_NOT_CONFIRMED,
    meaning:
      'not confirmed: a destructive action was declined, or needs --yes because stdin is not a terminal; nothing was changed',
  },
];

/** The "Exit codes:" epilogue of `spool --help`, wrapped to `width` columns. */
export function exitCodesHelp(width = 80): string {
  const indent = '     ';
  const lines = EXIT_CODES.map(({ code, meaning }) => {
    const out: string[] = [];
    let line = `  ${String(code).padEnd(3)}`;
    for (const word of meaning.split(' ')) {
      if (line.length + 1 + word.length > width && line.trim().length > 3) {
        out.push(line);
        line = indent + word;
      } else line += (line.endsWith(' ') ? '' : ' ') + word;
    }
    out.push(line);
    return out.join('\n');
  });
  return '\nExit codes:\n' + lines.join('\n') + '\n';
}
