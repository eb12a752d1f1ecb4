import { Command, CommanderError } from 'commander';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from './output/index.js';
import { registerConsentCommand } from './commands/consent.js';
import { registerSyncCommand } from './commands/sync.js';
import { registerServeCommand } from './commands/serve.js';
import { registerCrashesCommand } from './commands/crashes.js';
import { registerReportCommand } from './commands/report.js';
import { registerDashboardCommand } from './commands/dashboard.js';
import { registerSloCommand } from './commands/slo.js';
import { registerCheckCommand } from './commands/check.js';
import { registerIncidentCommand } from './commands/incident.js';
import { registerExportCommand } from './commands/export.js';
import { registerTailCommand } from './commands/tail.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerImportCommand } from './commands/import.js';
// Each command lives in commands/<name>.ts; add its import above this line.

/** Builds the `spool` program. Separate from bin/ so tests can run commands in-process. */
export function createProgram(): Command {
  const program = new Command('spool')
    .description('Offline-first OpenTelemetry: read, check and ship the local telemetry spool')
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.exitOverride();
  // Register each command below, one call per line.
  registerDemoCommand(program);
  registerReportCommand(program);
  registerSloCommand(program);
  registerCheckCommand(program);
  registerIncidentCommand(program);
  registerExportCommand(program);
  registerTailCommand(program);
  registerCrashesCommand(program);
  registerConsentCommand(program);
  registerSyncCommand(program);
  registerServeCommand(program);
  registerDashboardCommand(program);
  registerImportCommand(program);
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting so callers decide. */
export async function runCli(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      if (err.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`spool: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`spool: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
}
