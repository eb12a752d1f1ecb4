import {
  grantConsent,
  previewConsent,
  readConsent,
  revokeConsent,
  type Consent,
  type SignalCounts,
} from '@otelspool/collector';
import {
  confirmDestructive,
  printJson,
  spoolDirFrom,
  type CommonOptions,
} from '../output/index.js';

export interface GrantOptions extends CommonOptions {
  crashesOnly?: boolean;
}
export interface RevokeOptions extends CommonOptions {
  purge?: boolean;
  yes?: boolean;
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

/** `spool consent grant` (options: program.ts). */
export function consentGrantCommand(options: GrantOptions): void {
  const dir = spoolDirFrom(options);
  const state = grantConsent(dir, { signals: options.crashesOnly ? 'crashes' : 'all' });
  if (options.json) printJson({ ...publicView(state), dir });
  else process.stdout.write(`consent ${describe(state)}\n${perDir(dir)}`);
}

/** `spool consent revoke [--purge]`: --purge deletes the spool's data, after confirmation. */
export async function consentRevokeCommand(options: RevokeOptions): Promise<void> {
  const dir = spoolDirFrom(options);
  if (options.purge) {
    await confirmDestructive(
      `delete all recorded telemetry in ${dir} (traces, metrics, logs, crashes, sync state)?`,
      options,
    );
  }
  const state = revokeConsent(dir, { purge: options.purge === true });
  if (options.json) printJson({ ...publicView(state), dir, purged: options.purge === true });
  else {
    process.stdout.write(`consent ${describe(state)}\n${perDir(dir)}`);
    if (options.purge) process.stdout.write(`local telemetry in ${dir} deleted\n`);
  }
}

/** `spool consent status`: the state and what a sync would upload. */
export async function consentStatusCommand(options: CommonOptions): Promise<void> {
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
}
