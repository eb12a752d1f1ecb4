import { writeFile } from 'node:fs/promises';
import type { Breadcrumb, ErrorInfo } from '@otelspool/crash';
import { buildIncident, formatMs, formatPercent, type Incident } from '../analysis/index.js';
import {
  CliError,
  printJson,
  spoolDirFrom,
  type CommonOptions,
  withReadProgress,
} from '../output/index.js';

export interface IncidentCommandOptions extends CommonOptions {
  out?: string;
  /** false (`--no-index`): scan even when the spool has an index. */
  index?: boolean;
}

/** `spool incident ID` (options: program.ts). */
export async function incidentCommand(id: string, options: IncidentCommandOptions): Promise<void> {
  const dir = spoolDirFrom(options, { read: true });
  let incident: Incident | undefined;
  try {
    incident = await withReadProgress(dir, ['traces', 'logs'], options, (onRecord) =>
      buildIncident(dir, id, { onRecord, ...(options.index === false ? { index: false } : {}) }),
    );
  } catch (err) {
    if (err instanceof Error && /ambiguous/.test(err.message)) throw new CliError(err.message);
    throw err;
  }
  if (!incident) throw new CliError(`no crash group or report matches '${id}' (see spool crashes)`);
  if (options.json) {
    printJson(incident);
    return;
  }
  const markdown = renderIncidentMarkdown(incident);
  if (options.out !== undefined) {
    await writeFile(options.out, markdown, { mode: 0o600 });
    process.stderr.write(`spool: wrote ${options.out}\n`);
  } else {
    process.stdout.write(markdown);
  }
}

/** The message, else the data as k=v (SDK breadcrumbs of events carry only data). */
function breadcrumbText(b: Breadcrumb): string {
  const data = Object.entries(b.data ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return [b.message, data].filter(Boolean).join(' — ');
}

/** Markdown table cell: no pipes or newlines. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '—';
}

function stackText(error: ErrorInfo): string {
  if (error.stack) return error.stack;
  return [`${error.type}: ${error.message}`, ...error.frames.map((f) => `    at ${f.raw}`)].join(
    '\n',
  );
}

function causes(error: ErrorInfo): string[] {
  const out: string[] = [];
  let cause = error.cause;
  for (let depth = 0; cause && depth < 5; depth++, cause = cause.cause) {
    out.push(`- caused by **${cause.type}**: ${cell(cause.message)}`);
  }
  return out;
}

/** The incident as a Markdown document (sections: summary, impact, timeline, stack, ...). */
export function renderIncidentMarkdown(i: Incident): string {
  const g = i.group;
  const r = i.representative;
  const lines: string[] = [];
  const fence = '```';
  lines.push(`# Incident: ${g.type}: ${cell(g.message)}`, '');
  lines.push(`- **Severity:** ${i.severity.level} — ${i.severity.reason}`);
  lines.push(
    `- **Crash group:** \`${g.id}\` (signature v${g.signatureVersion}, origin \`${g.origin}\`)`,
  );
  if (g.topFrame) lines.push(`- **Top frame:** \`${g.topFrame}\``);
  lines.push(`- **Status:** open`, '');

  lines.push('## Impact', '');
  lines.push('| measure | value |', '|---|---|');
  lines.push(`| occurrences | ${i.impact.occurrences} |`);
  lines.push(
    `| sessions affected | ${i.impact.sessions} of ${i.impact.sessionsSinceFirstSeen} running since first seen (${formatPercent(i.impact.sessionShare, 1)}) |`,
  );
  lines.push(
    `| users (installs) affected | ${i.impact.users} of ${i.impact.usersSinceFirstSeen} (${formatPercent(i.impact.userShare, 1)}) |`,
  );
  lines.push(`| crashes before launch completed | ${i.impact.launchCrashes} |`);
  lines.push(`| hosts | ${cell(i.impact.hosts.join(', ') || '—')} |`);
  lines.push(`| versions | ${cell(i.impact.versions.join(', ') || '—')} |`, '');

  lines.push('## Timeline', '');
  lines.push(`- **First seen:** ${i.timeline.firstSeen}`);
  if (i.timeline.spikes.length === 0) {
    lines.push('- **Spikes:** none');
  } else {
    for (const s of i.timeline.spikes) {
      lines.push(
        `- **Spike:** ${s.count} crashes in the ${i.timeline.bucketMs === 3_600_000 ? 'hour' : 'day'} from ${iso(s.startUnixMs)}`,
      );
    }
  }
  lines.push(`- **Last seen:** ${i.timeline.lastSeen}`, '');
  lines.push(
    `| ${i.timeline.bucketMs === 3_600_000 ? 'hour' : 'day'} (UTC) | crashes |`,
    '|---|---:|',
  );
  for (const b of i.timeline.buckets) lines.push(`| ${iso(b.startUnixMs)} | ${b.count} |`);
  lines.push('');

  lines.push('## Representative crash', '');
  lines.push(
    `Report \`${r.id}\` at ${r.time}, session \`${r.session.id}\`, host \`${String(r.resource['host.name'] ?? '—')}\`, ` +
      `version \`${String(r.resource['service.version'] ?? '—')}\`` +
      (r.trace ? `, trace \`${r.trace.traceId}\`` : '') +
      '.',
    '',
  );
  lines.push(fence, stackText(r.error).replaceAll(fence, '` ` `'), fence);
  lines.push(...causes(r.error));
  if (r.native)
    lines.push('', `Native fatal error: ${cell(r.native.event)} (${cell(r.native.trigger)})`);
  lines.push('');

  lines.push('## Breadcrumbs', '');
  if (i.breadcrumbs.length === 0) lines.push('_none recorded_');
  else {
    lines.push('| time | category | level | message |', '|---|---|---|---|');
    for (const b of i.breadcrumbs) {
      lines.push(
        `| ${b.timestamp ?? '—'} | ${cell(b.category ?? '')} | ${b.level ?? ''} | ${cell(breadcrumbText(b))} |`,
      );
    }
  }
  lines.push('');

  lines.push('## Related spans and errors', '');
  lines.push(
    'Spans sharing a trace id with a crash, and error spans / ERROR+ logs from the crashed sessions.',
    '',
  );
  if (i.relatedSpans.length === 0) lines.push('_no related spans_');
  else {
    lines.push(
      '| start | service | span | duration | status | trace | via |',
      '|---|---|---|---:|---|---|---|',
    );
    for (const s of i.relatedSpans) {
      lines.push(
        `| ${iso(s.startUnixMs)} | ${cell(s.service)} | ${cell(s.name)} | ${formatMs(s.durationMs)} | ${s.error ? `ERROR ${cell(s.statusMessage ?? '')}` : 'ok'} | \`${s.traceId}\` | ${s.via} |`,
      );
    }
    if (i.relatedTotals.spans > i.relatedSpans.length)
      lines.push('', `_${i.relatedTotals.spans - i.relatedSpans.length} more not shown_`);
  }
  lines.push('');
  if (i.relatedLogs.length === 0) lines.push('_no related error logs_');
  else {
    lines.push('| time | service | severity | message | via |', '|---|---|---|---|---|');
    for (const l of i.relatedLogs) {
      lines.push(
        `| ${iso(l.timeUnixMs)} | ${cell(l.service)} | ${cell(l.severity)} | ${cell(l.body)} | ${l.via} |`,
      );
    }
    if (i.relatedTotals.logs > i.relatedLogs.length)
      lines.push('', `_${i.relatedTotals.logs - i.relatedLogs.length} more not shown_`);
  }
  lines.push('');

  lines.push('## Post-mortem', '');
  lines.push(
    '### Summary',
    '',
    '_What happened, in two sentences, for someone who was not there._',
    '',
  );
  lines.push('### Root cause', '', '_Why the code above threw; link the fix._', '');
  lines.push(
    '### Detection',
    '',
    `_How it was noticed; first report ${i.timeline.firstSeen}._`,
    '',
  );
  lines.push(
    '### Resolution and recovery',
    '',
    '_What was done, in which version the fix shipped._',
    '',
  );
  lines.push('### Action items', '', '| action | owner | due |', '|---|---|---|', '| | | |', '');
  lines.push(
    '### Lessons learned',
    '',
    '- What went well:',
    '- What went wrong:',
    '- Where we got lucky:',
    '',
  );
  return lines.join('\n');
}
