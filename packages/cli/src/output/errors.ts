import { EXIT_FAILURE } from './exit-codes.js';

/** A failure the user can act on: message on stderr, exit code set, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
