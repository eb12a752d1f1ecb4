import type { Command } from 'commander';
import {
  grantConsent,
  previewConsent,
  readConsent,
  revokeConsent,
  type Consent,
  type SignalCounts,
} from '@otelspool/collector';
import {
  DIR_HELP,
  printJson,
  SERVICE_HELP,
  spoolDirFrom,
  type CommonOptions,
} from '../output/index.js';

interface GrantOptions extends CommonOptions {
  crashesOnly?: boolean;
}
interface RevokeOptions extends CommonOptions {
  purge?: boolean;
}

type Counts = SignalCounts;

function describe(consent: Consent): string {
  if (consent.state === 'granted') {
    return consent.signals === 'crashes'
      ? 'granted (crashes only): FATAL logs and crash records may be uploaded after redaction'
      : 'granted: telemetry may be uploaded after redaction';
  }
  if (consent.state === 'denied') return 'denied: nothing is uploaded; data stays on this machine';
  if (consent.problem)
    return `unknown: ${consent.problem}; nothing is uploaded until \`spool consent grant\``;
  return 'unknown: recorded locally, nothing is uploaded until `spool consent grant`';
}

/** Consent is recorded per spool directory: say which one, and how to reach it again. */
function perDir(dir: string): string {
  return `(for the spool at ${dir}; consent is per spool directory, and \`spool sync\` finds the same one)\n`;
}

function publicView(consent: Consent): Omit<Consent, 'salt'> {
  const { salt: _salt, ...rest } = consent;
  return rest;
}

/** `spool consent grant|revoke|status`: the user's upload choice (nothing leaves without grant). */
export function registerConsentCommand(program: Command): void {
  const consent = program
    .command('consent')
    .description('show or change the upload consent (nothing leaves the machine without grant)');

  consent
    .command('grant')
    .description('allow `spool sync` to upload (after redaction)')
    .option('--dir <dir>', DIR_HELP)
    .option('--service <name>', SERVICE_HELP)
    .option('--crashes-only', 'upload only crash records (FATAL logs, crash events)')
    .option('--json', 'print the new state as JSON')
    .action((options: GrantOptions) => {
      const dir = spoolDirFrom(options);
      const state = grantConsent(dir, { signals: options.crashesOnly ? 'crashes' : 'all' });
      if (options.json) printJson({ ...publicView(state), dir });
      else process.stdout.write(`consent ${describe(state)}\n${perDir(dir)}`);
    });

  consent
    .command('revoke')
    .alias('deny')
    .description('forbid uploads; --purge also deletes the recorded telemetry')
    .option('--dir <dir>', DIR_HELP)
    .option('--service <name>', SERVICE_HELP)
    .option(
      '--purge',
      'delete the local telemetry too (traces, metrics, logs, crashes, sync state)',
    )
    .option('--json', 'print the new state as JSON')
    .action((options: RevokeOptions) => {
      const dir = spoolDirFrom(options);
      const state = revokeConsent(dir, { purge: options.purge === true });
      if (options.json) printJson({ ...publicView(state), dir, purged: options.purge === true });
      else {
        process.stdout.write(`consent ${describe(state)}\n${perDir(dir)}`);
        if (options.purge) process.stdout.write(`local telemetry in ${dir} deleted\n`);
      }
    });

  consent
    .command('status')
    .description('show the consent state and what a sync would upload')
    .option('--dir <dir>', DIR_HELP)
    .option('--service <name>', SERVICE_HELP)
    .option('--json', 'machine-readable output')
    .action(async (options: CommonOptions) => {
      const dir = spoolDirFrom(options);
      const state = readConsent(dir);
      const pending = await previewConsent(dir);
      const wouldSend: Counts =
        state.state !== 'granted'
          ? { traces: 0, metrics: 0, logs: 0 }
          : state.signals === 'crashes'
            ? pending.crashesOnly
            : pending.all;
      if (options.json) {
        printJson({ ...publicView(state), dir, wouldSend, ifGranted: pending });
        return;
      }
      const fmt = (c: Counts): string =>
        `${c.traces} spans, ${c.metrics} metric points, ${c.logs} log records`;
      process.stdout.write(
        `consent: ${describe(state)}\n` +
          `spool: ${dir} (consent is per spool directory)\n` +
          `a sync now would send: ${fmt(wouldSend)}\n` +
          `with a full grant: ${fmt(pending.all)}\n` +
          `with --crashes-only: ${fmt(pending.crashesOnly)}\n` +
          `(counts are records on disk; a sync skips what a destination already acknowledged)\n`,
      );
    });
}
