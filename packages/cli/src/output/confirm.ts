import { createInterface } from 'node:readline/promises';
import { CliError } from './errors.js';
import { EXIT_NOT_CONFIRMED } from './exit-codes.js';

/**
 * Asks before a destructive action. `--yes` skips the question. On a TTY the question goes to
 * stderr and only `y`/`yes` goes ahead; anything else, or stdin not being a terminal (a script,
 * CI, a pipe) without `--yes`, ends the command with {@link EXIT_NOT_CONFIRMED} and changes
 * nothing. It never waits on a stdin that is not a terminal.
 */
export async function confirmDestructive(
  question: string,
  options: { yes?: boolean },
  io: { stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream } = {
    stdin: process.stdin,
    stderr: process.stderr,
  },
): Promise<void> {
  if (options.yes === true) return;
  if (io.stdin.isTTY !== true) {
    throw new CliError(
      `${question.replace(/\?$/, '')}: refused, stdin is not a terminal to confirm on; pass --yes to go ahead`,
      EXIT_NOT_CONFIRMED,
    );
  }
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  let answer: string;
  try {
    answer = await rl.question(`${question} [y/N] `);
  } catch {
    answer = ''; // Ctrl-D / closed input: no
  } finally {
    rl.close();
  }
  if (!/^\s*y(es)?\s*$/i.test(answer)) {
    throw new CliError('not confirmed; nothing was changed', EXIT_NOT_CONFIRMED);
  }
}
