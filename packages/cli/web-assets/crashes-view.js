// Crash groups (same signature = same bug) and, for the selected one, its representative
// report: exception, stack frames with the app's own frames highlighted, breadcrumbs.
import { crashGroupView, crashReportView } from './crash-shape.js';
import { fill, fillPickList, fmtCount, fmtTime, h, markPicked } from './dom.js';
import { showLogs } from './logs-view.js';
import { showTrace } from './traces-view.js';
import { readUrlState, writeUrlState } from './url-state.js';

let selectedGroupId = null;
/** The groups last drawn and how to fetch a report, for links from other views. */
let shown = { groups: [], fetchJson: null };

export function renderCrashGroups(body, fetchJson) {
  const groups = (body.groups ?? []).map(crashGroupView);
  shown = { groups, fetchJson };
  selectedGroupId = readUrlState().get('crash') ?? selectedGroupId;
  fillPickList(document.getElementById('crash-groups'), groups, {
    empty: 'No crashes recorded.',
    idOf: (g) => g.id,
    selectedId: selectedGroupId,
    onPick: (g) => {
      writeUrlState({ crash: g.id }, { push: true });
      return selectGroup(g, fetchJson);
    },
    title: (g) => [g.title, h('span', { class: 'pill' }, `×${fmtCount(g.count)}`)],
    meta: (g) =>
      [
        g.topFrame,
        g.hosts.join(', '),
        g.versions.map((v) => `v${v}`).join(', '),
        `last ${fmtTime(g.lastSeen)}`,
      ]
        .filter(Boolean)
        .join(' · '),
  });
  const selected = groups.find((g) => g.id === selectedGroupId);
  if (selected) void selectGroup(selected, fetchJson);
}

/** Opens a crash group by id (a crash log record's signature) and scrolls to it. */
export async function showCrashGroup(id) {
  writeUrlState({ crash: id }, { push: true });
  const group = shown.groups.find((g) => g.id === id);
  document.getElementById('crashes-title').scrollIntoView({ block: 'start' });
  if (group === undefined) {
    fill(
      document.getElementById('crash-detail'),
      h('p', { class: 'muted' }, `No crash group ${id} in the spool's crash reports.`),
    );
    return;
  }
  await selectGroup(group, shown.fetchJson);
}

async function selectGroup(group, fetchJson) {
  selectedGroupId = group.id;
  markPicked(document.getElementById('crash-groups'), group.id);
  const detail = document.getElementById('crash-detail');
  try {
    const report = crashReportView(
      await fetchJson(`/api/crashes/${encodeURIComponent(group.reportId)}`),
    );
    if (selectedGroupId === group.id) renderCrashDetail(detail, group, report, fetchJson);
  } catch (err) {
    fill(detail, h('p', { class: 'error-banner', role: 'alert' }, `Crash: ${err.message}`));
  }
}

function renderCrashDetail(detail, group, report, fetchJson) {
  fill(
    detail,
    h('h3', {}, report.title || group.title),
    h(
      'ul',
      { class: 'facts' },
      h('li', {}, `${fmtCount(group.count)} occurrence${group.count === 1 ? '' : 's'}`),
      group.firstSeen ? h('li', {}, `first seen ${fmtTime(group.firstSeen)}`) : null,
      group.lastSeen ? h('li', {}, `last seen ${fmtTime(group.lastSeen)}`) : null,
      h('li', {}, `this one ${fmtTime(report.time)}`),
      report.host ? h('li', {}, `host ${report.host}`) : null,
      report.version ? h('li', {}, `version ${report.version}`) : null,
      report.session ? h('li', {}, `session ${report.session}`) : null,
      report.session
        ? h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'link',
                'data-link': 'session-logs',
                onclick: () => showLogs({ session: report.session }),
              },
              'logs of this session',
            ),
          )
        : null,
      report.origin ? h('li', {}, report.origin) : null,
      report.traceId
        ? h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'link',
                onclick: () => showTrace(report.traceId, fetchJson),
              },
              'show the trace it crashed in',
            ),
          )
        : null,
    ),
    breakdown('By release', 'service.version', group.byVersion, group.count),
    breakdown('By host', 'host.name', group.byHost, group.count),
    report.causes.length > 0
      ? h('p', { class: 'muted' }, report.causes.map((c) => `caused by ${c}`).join(' · '))
      : null,
    h('h4', {}, 'Stack'),
    report.frames.length > 0
      ? h(
          'ol',
          { class: 'frames', 'aria-label': 'Stack frames, innermost first' },
          report.frames.map((f) =>
            h(
              'li',
              {
                class: f.inApp ? 'in-app' : null,
                title: f.inApp ? 'in-app frame' : 'library frame',
              },
              h('span', { class: 'fn' }, f.fn || '<anonymous>'),
              ' ',
              h('span', { class: 'where' }, f.where),
              f.generated
                ? h(
                    'span',
                    { class: 'generated', title: 'running JavaScript (before the source map)' },
                    f.generated,
                  )
                : null,
              f.context ? sourceContext(f.context) : null,
            ),
          ),
        )
      : h('pre', { class: 'frames' }, report.stack || 'No stack recorded.'),
    h('h4', {}, 'Breadcrumbs'),
    report.breadcrumbs.length > 0
      ? h(
          'ol',
          { class: 'breadcrumbs' },
          report.breadcrumbs.map((b) =>
            h(
              'li',
              {},
              h('time', {}, b.time ? fmtTime(b.time).slice(11) : ''),
              h('span', { class: 'cat' }, b.category),
              h('span', {}, b.message),
              b.data.length > 0
                ? h(
                    'dl',
                    { class: 'crumb-data' },
                    b.data.flatMap((d) => [h('dt', {}, d.key), h('dd', {}, d.value)]),
                  )
                : null,
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No breadcrumbs.'),
  );
}

/** A group's occurrences per release or per host, as a small table of counts. */
function breakdown(title, attribute, rows, total) {
  if (rows.length === 0) return null;
  return h(
    'table',
    { class: 'breakdown', 'aria-label': `${title} (${attribute})` },
    h('caption', {}, title),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, r.key),
          h('td', { class: 'num' }, fmtCount(r.count)),
          h('td', { class: 'num muted' }, `${Math.round((r.count / Math.max(1, total)) * 100)} %`),
        ),
      ),
    ),
  );
}

/** The lines around an in-app frame, the frame's own line marked. */
function sourceContext(context) {
  return h(
    'pre',
    { class: 'context', 'aria-label': 'source lines around the frame' },
    context.lines.map((line, i) => {
      const number = context.startLine + i;
      return h(
        'span',
        { class: number === context.line ? 'ctx-line current' : 'ctx-line' },
        h('span', { class: 'ctx-no' }, String(number)),
        line,
        '\n',
      );
    }),
  );
}
