import {
  groupCrashFacts,
  readCrashReport,
  readCrashReportFile,
  type CrashGroup,
  type Breadcrumb,
  type CrashReport,
  type ErrorInfo,
} from '@otelspool/crash';
import {
  CliError,
  colors,
  EXIT_USAGE,
  printJson,
  renderTable,
  spoolDirFrom,
  terminalWidth,
  type Colors,
  type CommonOptions,
} from '../output/index.js';
import { crashFilesOfSpool, type CrashFile } from '../spool-index/crash-facts.js';

export interface CrashesCommandOptions extends CommonOptions {
  /** false (`--no-index`): read every crash report even when the spool has an index. */
  index?: boolean;
}

/** The spool's crash files and their groups (from the index where it read them as they are). */
function crashGroupsOf(
  dir: string,
  options: CrashesCommandOptions,
): { files: CrashFile[]; groups: CrashGroup[] } {
  const files = crashFilesOfSpool(dir, {
    onInvalid: warnInvalid,
    ...(options.index === false ? { index: false } : {}),
  });
  return { files, groups: groupCrashFacts(files.map((f) => f.facts)) };
}

function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? oneLine.slice(0, max - 1) + '…' : oneLine;
}

/** 2026-11-24T09:24:21.123Z → 2026-11-24 09:24:21Z */
function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function warnInvalid(file: string, reason: string): void {
  process.stderr.write(`spool: skipped ${file}: ${reason}\n`);
}

export function groupsTable(groups: CrashGroup[], c: Colors, width = terminalWidth()): string {
  return renderTable(
    [
      { header: 'signature' },
      { header: 'type' },
      { header: 'message', flex: true },
      { header: 'count', align: 'right' },
      { header: 'sessions', align: 'right', hideOrder: 4 },
      { header: 'hosts', flex: true, hideOrder: 3 },
      { header: 'first seen', hideOrder: 1 },
      { header: 'last seen' },
      { header: 'versions', flex: true, hideOrder: 2 },
    ],
    groups.map((g) => [
      c.bold(g.id),
      c.red(g.type),
      g.message,
      String(g.count),
      String(g.sessions.length),
      g.hosts.join(', '),
      shortTime(g.firstSeen),
      shortTime(g.lastSeen),
      g.versions.join(', '),
    ]),
    c,
    { width },
  );
}

function frameLines(error: ErrorInfo, c: Colors, indent: string): string[] {
  if (error.frames.length === 0) {
    return error.stack
      ? error.stack
          .split('\n')
          .slice(1)
          .map((l) => indent + l.trim())
      : [];
  }
  return error.frames.map((f) => {
    const where = f.file
      ? `${f.file}${f.line !== undefined ? `:${f.line}:${f.column ?? 0}` : ''}`
      : '';
    const text = f.function
      ? `at ${f.function}${where ? ` (${where})` : ''}`
      : `at ${where || f.raw}`;
    return indent + (f.inApp ? c.bold(text) : c.dim(text));
  });
}

function errorLines(error: ErrorInfo, c: Colors, indent = '  '): string[] {
  const lines = [
    `${indent}${c.red(c.bold(error.type))}: ${error.message}${error.code ? c.dim(` [${error.code}]`) : ''}`,
  ];
  if (error.circular)
    return [`${indent}${c.dim(`(${error.type} already shown above: circular reference)`)}`];
  lines.push(...frameLines(error, c, indent + '    '));
  if (error.errors && error.errors.length > 0) {
    lines.push(`${indent}  ${c.yellow(`${error.errors.length} aggregated error(s):`)}`);
    error.errors.forEach((member, i) => {
      lines.push(`${indent}  [${i}]`);
      lines.push(...errorLines(member, c, indent + '    '));
    });
  }
  if (error.cause) {
    lines.push(`${indent}${c.yellow('Caused by:')}`);
    lines.push(...errorLines(error.cause, c, indent));
  }
  if (error.truncated) lines.push(`${indent}${c.dim('(truncated)')}`);
  return lines;
}

function formatBytes(n: number | undefined): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '?';
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

function reportText(report: CrashReport, group: CrashGroup | undefined, c: Colors): string {
  const r = report.resource;
  const out: string[] = [];
  out.push(c.bold(`${report.error.type}: ${clip(report.error.message, 200)}`));
  out.push('');
  out.push(`  report      ${report.id}`);
  out.push(`  time        ${report.time}`);
  out.push(
    `  origin      ${report.origin}${report.worker ? ` (worker thread ${report.worker.threadId})` : ''}`,
  );
  out.push(
    `  group       ${report.signature.id} (signature v${report.signature.version})` +
      (group
        ? `, ${group.count} occurrence(s) in ${group.sessions.length} session(s), first ${group.firstSeen}`
        : ''),
  );
  out.push(
    `  service     ${String(r['service.name'] ?? '?')} ${String(r['service.version'] ?? '')}`.trimEnd(),
  );
  out.push(
    `  host        ${String(r['host.name'] ?? '?')} (${String(r['os.type'] ?? '?')} ${String(r['os.version'] ?? '')})`,
  );
  out.push(
    `  session     ${report.session.id}${report.session.launchCompleted ? '' : c.yellow(' (during launch)')}, started ${report.session.startedAt}`,
  );
  if (report.trace) out.push(`  trace       ${report.trace.traceId} span ${report.trace.spanId}`);
  const p = report.process;
  out.push(
    `  process     pid ${p.pid}${p.versions?.node ? `, node ${p.versions.node}` : ''}` +
      `${p.uptimeSeconds !== undefined ? `, up ${p.uptimeSeconds}s` : ''}` +
      `${p.memory ? `, rss ${formatBytes(p.memory.rss)}, heap ${formatBytes(p.memory.heapUsed)}/${formatBytes(p.memory.heapTotal)}` : ''}`,
  );
  out.push('');
  out.push(c.bold('Stack'));
  out.push(...errorLines(report.error, c));
  if (report.native) {
    out.push('');
    out.push(c.bold('Native fatal error'));
    out.push(`  ${report.native.trigger}: ${report.native.event}`);
    for (const sym of report.native.nativeStack.slice(0, 15)) out.push(c.dim(`    ${sym}`));
  }
  out.push('');
  out.push(c.bold(`Breadcrumbs (${report.breadcrumbs.length})`));
  if (report.breadcrumbs.length === 0) out.push(c.dim('  none'));
  for (const b of report.breadcrumbs) out.push(...breadcrumbLines(b, c));
  if (report.session.appState !== undefined) {
    out.push('');
    out.push(c.bold('App state'));
    out.push('  ' + clip(JSON.stringify(report.session.appState), 500));
  }
  return out.join('\n');
}

/**
 * One breadcrumb: time, [category], level, message, then each of its attributes (`data`) on
 * its own indented line, so nothing the app recorded is hidden.
 */
export function breadcrumbLines(b: Breadcrumb, c: Colors): string[] {
  const level = b.level && b.level !== 'info' ? ` ${b.level.toUpperCase()}` : '';
  const lines = [
    `  ${c.dim(b.timestamp ?? '')} ${b.category ? `[${b.category}]` : ''}${level} ${b.message}`.replace(
      /\s+$/,
      '',
    ),
  ];
  for (const [key, value] of Object.entries(b.data ?? {})) {
    lines.push(
      `      ${c.dim(`${key}=`)}${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
    );
  }
  return lines;
}

/** Finds a report by group id, report id, or a unique prefix of either. */
function resolveReport(
  dir: string,
  id: string,
  options: CrashesCommandOptions,
): { report: CrashReport; group?: CrashGroup } {
  const wanted = id.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(wanted))
    throw new CliError(`'${id}' is not a crash group or report id`, EXIT_USAGE);
  const { files, groups } = crashGroupsOf(dir, options);
  const exactGroup = groups.find((g) => g.id === wanted);
  const groupMatches = exactGroup
    ? [exactGroup]
    : wanted.length >= 4
      ? groups.filter((g) => g.id.startsWith(wanted))
      : [];
  let report: CrashReport | undefined;
  try {
    report = readCrashReport(dir, wanted);
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  if (report && groupMatches.length === 0) {
    const ofReport = report;
    return { report, group: groups.find((g) => g.reportIds.includes(ofReport.id)) };
  }
  if (groupMatches.length > 1 || (report && groupMatches.length === 1 && !exactGroup)) {
    throw new CliError(`'${id}' is ambiguous; use more characters`);
  }
  const group = groupMatches[0];
  if (!group) throw new CliError(`no crash group or report matches '${id}' in ${dir}`);
  const latestId = group.reportIds[group.reportIds.length - 1] as string;
  const latestFile = files.find((f) => f.facts.id === latestId)?.file;
  const latest = latestFile === undefined ? undefined : readCrashReportFile(dir, latestFile);
  if (!latest)
    throw new CliError(`crash report ${latestId} of group ${group.id} could not be read`);
  return { report: latest, group };
}

/** `spool crashes`: crashes grouped by signature (options: program.ts). */
export function crashesCommand(options: CrashesCommandOptions): void {
  const dir = spoolDirFrom(options, { read: true });
  const { groups } = crashGroupsOf(dir, options);
  if (options.json) {
    printJson({ dir, groups });
    return;
  }
  if (groups.length === 0) {
    process.stdout.write(`no crashes recorded in ${dir}\n`);
    return;
  }
  const c = colors(options);
  process.stdout.write(groupsTable(groups, c) + '\n');
  process.stdout.write(
    c.dim(`${groups.length} group(s); \`spool crashes show <signature>\` for details\n`),
  );
}

/** `spool crashes show ID`: one crash in full; options given to `crashes` count too. */
export function crashShowCommand(
  id: string,
  options: CrashesCommandOptions,
  parent: CrashesCommandOptions = {},
): void {
  const merged: CrashesCommandOptions = { ...parent, ...stripUndefined(options) };
  const dir = spoolDirFrom(merged, { read: true });
  const { report, group } = resolveReport(dir, id, merged);
  if (merged.json) {
    // The crash report file format has its own schemaVersion (an integer, 1 today): kept.
    printJson(report);
    return;
  }
  process.stdout.write(reportText(report, group, colors(merged)) + '\n');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
