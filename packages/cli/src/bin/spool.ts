#!/usr/bin/env node
import { VERSION } from '../version.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // `spool --version` answers before commander or any command loads (scripts probe with it).
  process.stdout.write(`${VERSION}\n`);
} else {
  // Every command is loaded by its action (program.ts), so this stays small too.
  const { runCli } = await import('../program.js');

  // `spool report --json | head` closes stdout early: that is the reader's choice, not a failure
  // worth a stack trace (clig.dev). Every command gets this, not just the ones that stream.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

  process.exitCode = await runCli(args);
}
