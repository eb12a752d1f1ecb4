// The Logs view: `spool logs` in the page. The same filters (a LogQL-subset query, service,
// severity and above, text and regex over the body, attribute tests, trace, session, time
// range) run by the same engine through /api/logs; newest first, paged, with the true number
// of matches. Each record links to its trace (Traces view) and, for a crash record, to its
// crash group (Crashes view). The filters live in the query string under `log.` names, apart
// from the trace search's, so a link reopens the same logs.
import { showCrashGroup } from './crashes-view.js';
import { fill, fmtCount, fmtTime, h } from './dom.js';
import { showTrace } from './traces-view.js';
import { readUrlState, writeUrlState } from './url-state.js';

/** Form field → /api/logs parameter; in the page URL each is `log.<parameter>`. */
const FIELDS = [
  'q',
  'service',
  'severity',
  'grep',
  'regex',
  'attr',
  'trace',
  'session',
  'since',
  'until',
];
const URL_KEYS = [...FIELDS, 'offset'].map((k) => `log.${k}`);
const PAGE_SIZE = 50;
const MAX_ATTR_TEXT = 160;

let fetchJsonRef = null;

/** What the view shows, for the browser test: the last query's total and records. */
export const logState = { total: null, records: 0, query: '' };

/** A search the user started: its failure is already shown in the list, not thrown. */
function runSearch() {
  refreshLogs().catch(() => {});
}

/** Wires the form once; its fields start from the URL. */
export function initLogSearch(fetchJson) {
  fetchJsonRef = fetchJson;
  const form = document.getElementById('log-search');
  formFromUrl(form);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    writeUrlState({ ...formValues(form), 'log.offset': null }, { push: true });
    runSearch();
  });
  form.elements.severity.addEventListener('change', () => form.requestSubmit());
  document.getElementById('log-prev').addEventListener('click', () => page(-1));
  document.getElementById('log-next').addEventListener('click', () => page(1));
  window.addEventListener('popstate', () => {
    formFromUrl(form);
    runSearch();
  });
}

/**
 * Opens the Logs view with only these filters (`{ trace }` from a trace, `{ session }` from a
 * crash) and scrolls to it.
 */
export async function showLogs(filters) {
  const changes = Object.fromEntries(URL_KEYS.map((k) => [k, null]));
  for (const [key, value] of Object.entries(filters)) changes[`log.${key}`] = value;
  writeUrlState(changes, { push: true });
  formFromUrl(document.getElementById('log-search'));
  document.getElementById('logs-title').scrollIntoView({ block: 'start' });
  await refreshLogs().catch(() => {});
}

function page(direction) {
  const offset = Math.max(0, Number(readUrlState().get('log.offset') ?? 0) + direction * PAGE_SIZE);
  writeUrlState({ 'log.offset': offset > 0 ? String(offset) : null }, { push: true });
  runSearch();
}

function formValues(form) {
  const value = (name) => form.elements[name].value.trim() || null;
  // As in the trace search: a new attribute test starts only where `key=`, `key!=`, `key=~`
  // or `key!~` follows a space, so values may hold spaces.
  const attrs = form.elements.attr.value
    .trim()
    .split(/\s+(?=[^\s=!~]+(?:=|!=|=~|!~))/)
    .map((a) => a.trim())
    .filter(Boolean);
  const values = {};
  for (const name of FIELDS) values[`log.${name}`] = value(name);
  values['log.attr'] = attrs.length > 0 ? attrs : null;
  return values;
}

function formFromUrl(form) {
  const state = readUrlState();
  for (const name of FIELDS) form.elements[name].value = state.get(`log.${name}`) ?? '';
  form.elements.attr.value = state.getAll('log.attr').join(' ');
}

/** The /api/logs query for the page's current URL. */
function logsQuery() {
  const state = readUrlState();
  const query = new window.URLSearchParams();
  for (const name of [...FIELDS, 'offset']) {
    for (const value of state.getAll(`log.${name}`)) query.append(name, value);
  }
  query.set('limit', String(PAGE_SIZE));
  return query;
}

function hasFilters() {
  const state = readUrlState();
  return FIELDS.some((name) => state.getAll(`log.${name}`).length > 0);
}

/** Runs the URL's query and draws the records. */
export async function refreshLogs() {
  const list = document.getElementById('log-list');
  const totalLine = document.getElementById('log-total');
  const query = logsQuery();
  let result;
  try {
    result = await fetchJsonRef(`/api/logs?${query}`);
  } catch (err) {
    logState.total = null;
    fill(list, h('li', { class: 'error-banner', role: 'alert' }, `Logs: ${err.message}`));
    fill(totalLine, '');
    setPager(false, false);
    throw err;
  }
  logState.total = result.total;
  logState.records = result.records.length;
  logState.query = String(query);
  const first = result.records.length > 0 ? result.offset + 1 : 0;
  fill(
    totalLine,
    result.total === 0
      ? ''
      : `${fmtCount(first)}–${fmtCount(result.offset + result.records.length)} of ${fmtCount(result.total)} matching record${result.total === 1 ? '' : 's'}, newest first`,
  );
  setPager(result.offset > 0, result.offset + result.records.length < result.total);
  if (result.records.length === 0) {
    fill(
      list,
      h(
        'li',
        { class: 'muted log-empty' },
        hasFilters() ? 'No log records match these filters.' : 'No log records in the spool yet.',
      ),
    );
    return;
  }
  fill(list, result.records.map(logRow));
}

/** trace 1-8, debug 5-8, info 9-12, warn 13-16, error 17-20, fatal 21-24 (OTel log data model). */
function severityClass(n) {
  if (n >= 21) return 'sev sev-fatal';
  if (n >= 17) return 'sev sev-error';
  if (n >= 13) return 'sev sev-warn';
  if (n >= 9) return 'sev sev-info';
  return 'sev sev-debug';
}

function logRow(record) {
  const attrs = Object.entries(record.attributes);
  return h(
    'li',
    { class: 'log-row', 'data-severity': record.severity },
    h(
      'div',
      { class: 'log-head' },
      h('time', {}, record.timeMs === null ? '–' : fmtTime(record.timeMs)),
      h('span', { class: severityClass(record.severityNumber) }, record.severity),
      h('span', { class: 'log-service' }, record.service),
      record.eventName ? h('span', { class: 'log-event' }, record.eventName) : null,
    ),
    h('p', { class: 'log-body' }, record.body || (record.eventName ? '' : '(no body)')),
    attrs.length > 0
      ? h(
          'p',
          { class: 'log-attrs' },
          attrs.map(([k, v]) => {
            const text = `${k}=${v}`;
            // A stack trace attribute would fill the screen: cut, with the whole value on hover.
            return text.length > MAX_ATTR_TEXT
              ? h('span', { title: text }, `${text.slice(0, MAX_ATTR_TEXT - 1)}…`)
              : h('span', {}, text);
          }),
        )
      : null,
    record.traceId || record.crashSignature
      ? h(
          'div',
          { class: 'log-links' },
          record.traceId
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'link',
                  'data-link': 'trace',
                  title: `trace ${record.traceId}`,
                  onclick: () => showTrace(record.traceId),
                },
                'trace',
              )
            : null,
          record.crashSignature
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'link',
                  'data-link': 'crash',
                  title: `crash report ${record.crashReportId ?? ''}`,
                  onclick: () => showCrashGroup(record.crashSignature),
                },
                'crash group',
              )
            : null,
        )
      : null,
  );
}

function setPager(prev, next) {
  document.getElementById('log-prev').disabled = !prev;
  document.getElementById('log-next').disabled = !next;
  document.getElementById('log-pager').hidden = !prev && !next;
}
