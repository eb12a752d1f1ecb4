import { Command } from 'commander';
import {
  ALLOW_EMPTY_HELP,
  DIR_HELP,
  SERVICE_FILTER_HELP,
  SERVICE_HELP,
  SINCE_HELP,
} from './output/help.js';

/** Which spool options a command takes (see `SpoolCommand.spoolOptions`). */
export interface SpoolOptionsKind {
  /** `--service` also filters the records of a `--dir` spool (read commands). */
  serviceFilter?: boolean;
  /** `--allow-empty`: a missing or empty spool reads as empty data. */
  allowEmpty?: boolean;
}

/**
 * A commander Command with the option groups most `spool` commands share, so each is declared
 * (flags and help text) in one place. Subcommands are SpoolCommands too (`createCommand`).
 */
export class SpoolCommand extends Command {
  override createCommand(name?: string): SpoolCommand {
    return new SpoolCommand(name);
  }

  /** `--dir` and `--service` (which spool), then `--allow-empty` when asked for. */
  spoolOptions(kind: SpoolOptionsKind = {}): this {
    this.option('--dir <dir>', DIR_HELP).option(
      '--service <name>',
      kind.serviceFilter === true ? SERVICE_FILTER_HELP : SERVICE_HELP,
    );
    if (kind.allowEmpty === true) this.option('--allow-empty', ALLOW_EMPTY_HELP);
    return this;
  }

  /** `--since <when>`: only data newer than a duration or a date. */
  sinceOption(help: string = SINCE_HELP): this {
    return this.option('--since <when>', help);
  }
}
