#!/usr/bin/env node
import { runCli } from '../program.js';

// `spool report --json | head` closes stdout early: that is the reader's choice, not a failure
// worth a stack trace (clig.dev). Every command gets this, not just the ones that stream.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
