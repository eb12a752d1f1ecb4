// The Traces view: a span search (Jaeger's "Find traces": service, span name, duration range,
// errors only, attribute key=value, time range; sorted by time or duration, paged, with the
// true number of matches), and the waterfall of one trace (one row per span, indented by
// depth, a bar from its start offset for its duration). The filters and the selected trace
// live in the page's query string, so a link to a search or a trace survives a reload.
import { fill, fillPickList, fmtCount, fmtMs, fmtTime, h, markPicked } from './dom.js';
import { showLogs } from './logs-view.js';
import { readUrlState, writeUrlState } from './url-state.js';

const STATUS_ERROR = 2;
/** Page-URL parameters that are /api/search filters (the rest of the URL state is the page's). */
const SEARCH_KEYS = [
  'service',
  'name',
  'minDuration',
  'maxDuration',
  'error',
  'attr',
  'since',
  'until',
];
const SORTS = {
  newest: { sort: 'time', order: 'desc' },
  oldest: { sort: 'time', order: 'asc' },
  slowest: { sort: 'duration', order: 'desc' },
  fastest: { sort: 'duration', order: 'asc' },
};
const PAGE_SIZE = 50;

let selectedTraceId = null;
let fetchJsonRef = null;
let emptyHint = null;

/** What the view shows, for the browser test: the last search's total and hits. */
export const traceState = { total: null, hits: 0, query: '' };

let showingEmpty = false;

/**
 * The one command that gets data into an empty spool, set once the report names the dir
 * (the report and the search load in parallel: an empty list already drawn gets it too).
 */
export function setEmptyHint(hint) {
  emptyHint = hint;
  if (showingEmpty && !hasFilters()) {
    fill(
      document.getElementById('trace-list'),
      h('li', { class: 'muted pick-meta' }, emptyTraces()),
    );
  }
}

/** A search the user started: its failure is already shown in the list, not thrown. */
function runSearch() {
  refreshTraces().catch(() => {});
}

/** Wires the search form once; the form's fields start from the URL. */
export function initTraceSearch(fetchJson) {
  fetchJsonRef = fetchJson;
  const form = document.getElementById('trace-search');
  formFromUrl(form);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    writeUrlState({ ...formValues(form), offset: null }, { push: true });
    runSearch();
  });
  form.elements.sort.addEventListener('change', () => form.requestSubmit());
  document.getElementById('trace-prev').addEventListener('click', () => page(-1));
  document.getElementById('trace-next').addEventListener('click', () => page(1));
  window.addEventListener('popstate', () => {
    formFromUrl(form);
    runSearch();
  });
}

function page(direction) {
  const state = readUrlState();
  const offset = Math.max(0, Number(state.get('offset') ?? 0) + direction * PAGE_SIZE);
  writeUrlState({ offset: offset > 0 ? String(offset) : null }, { push: true });
  runSearch();
}

function formValues(form) {
  // A new filter starts only where a `key=` follows a space, so values may hold spaces:
  // `preset.bank=Warm Pads http.route=/x` is two filters.
  const attrs = form.elements.attr.value
    .trim()
    .split(/\s+(?=[^\s=]+=)/)
    .map((a) => a.trim())
    .filter(Boolean);
  const sort = SORTS[form.elements.sort.value] ?? SORTS.newest;
  return {
    service: form.elements.service.value.trim() || null,
    name: form.elements.name.value.trim() || null,
    minDuration: form.elements.minDuration.value.trim() || null,
    maxDuration: form.elements.maxDuration.value.trim() || null,
    error: form.elements.error.checked ? '1' : null,
    attr: attrs.length > 0 ? attrs : null,
    since: form.elements.since.value.trim() || null,
    until: form.elements.until.value.trim() || null,
    sort: sort.sort === 'time' && sort.order === 'desc' ? null : sort.sort,
    order: sort.sort === 'time' && sort.order === 'desc' ? null : sort.order,
  };
}

function formFromUrl(form) {
  const state = readUrlState();
  for (const key of ['service', 'name', 'minDuration', 'maxDuration', 'since', 'until']) {
    form.elements[key].value = state.get(key) ?? '';
  }
  form.elements.attr.value = state.getAll('attr').join(' ');
  form.elements.error.checked = state.get('error') === '1' || state.get('error') === 'true';
  const sort = state.get('sort') ?? 'time';
  const order = state.get('order') ?? 'desc';
  form.elements.sort.value =
    Object.entries(SORTS).find(([, s]) => s.sort === sort && s.order === order)?.[0] ?? 'newest';
}

/** The /api/search query for the page's current URL. */
function searchQuery() {
  const state = readUrlState();
  const query = new window.URLSearchParams();
  for (const key of SEARCH_KEYS) for (const value of state.getAll(key)) query.append(key, value);
  for (const key of ['sort', 'order', 'offset']) {
    const value = state.get(key);
    if (value !== null) query.set(key, value);
  }
  query.set('limit', String(PAGE_SIZE));
  return query;
}

function hasFilters() {
  const state = readUrlState();
  return SEARCH_KEYS.some((key) => state.getAll(key).length > 0);
}

/** Runs the URL's search and draws the result list; reopens the URL's trace. */
export async function refreshTraces() {
  const fetchJson = fetchJsonRef;
  const list = document.getElementById('trace-list');
  const totalLine = document.getElementById('trace-total');
  const query = searchQuery();
  let result;
  try {
    result = await fetchJson(`/api/search?${query}`);
  } catch (err) {
    traceState.total = null;
    showingEmpty = false;
    fill(list, h('li', { class: 'error-banner', role: 'alert' }, `Search: ${err.message}`));
    fill(totalLine, '');
    setPager(false, false);
    throw err;
  }
  traceState.total = result.total;
  traceState.hits = result.hits.length;
  traceState.query = String(query);
  const first = result.hits.length > 0 ? result.offset + 1 : 0;
  fill(
    totalLine,
    result.total === 0
      ? ''
      : `${fmtCount(first)}–${fmtCount(result.offset + result.hits.length)} of ${fmtCount(result.total)} matching span${result.total === 1 ? '' : 's'}`,
  );
  setPager(result.offset > 0, result.offset + result.hits.length < result.total);
  const urlTrace = readUrlState().get('trace');
  selectedTraceId = urlTrace;
  showingEmpty = result.hits.length === 0;
  fillPickList(list, result.hits, {
    empty: hasFilters() ? 'No spans match these filters.' : emptyTraces(),
    idOf: (s) => s.traceId,
    selectedId: selectedTraceId,
    onPick: (s) => openTrace(s.traceId, s.spanId),
    title: (s) => [s.name || '(unnamed)', s.error ? h('span', { class: 'pill' }, 'error') : null],
    meta: (s) => `${s.service} · ${fmtMs(s.durationMs)} · ${fmtTime(s.startTimeMs)}`,
  });
  for (const [i, button] of list.querySelectorAll('button').entries()) {
    button.dataset.spanId = result.hits[i]?.spanId ?? '';
  }
  if (urlTrace !== null) await selectTrace(urlTrace, readUrlState().get('span'));
  else fill(document.getElementById('trace-detail'), selectHint());
}

function emptyTraces() {
  return emptyHint === null ? 'No traces in the spool yet.' : ['No traces yet. ', emptyHint()];
}

function selectHint() {
  return h('p', { class: 'muted' }, 'Select a span to see its trace.');
}

function setPager(prev, next) {
  document.getElementById('trace-prev').disabled = !prev;
  document.getElementById('trace-next').disabled = !next;
  document.getElementById('trace-pager').hidden = !prev && !next;
}

/** Opens a trace and puts it in the URL (from the list, or from a crash inside it). */
export async function openTrace(traceId, spanId = null) {
  writeUrlState({ trace: traceId, span: spanId }, { push: true });
  await selectTrace(traceId, spanId);
}

/** Opens one trace's waterfall and scrolls it into view (a crash's "show the trace"). */
export async function showTrace(traceId) {
  await openTrace(traceId);
  document.getElementById('trace-detail').scrollIntoView({ block: 'nearest' });
}

async function selectTrace(traceId, spanId) {
  selectedTraceId = traceId;
  const list = document.getElementById('trace-list');
  markPicked(list, traceId);
  const detail = document.getElementById('trace-detail');
  try {
    const trace = await fetchJsonRef(`/api/traces/${encodeURIComponent(traceId)}`);
    if (selectedTraceId === traceId) renderWaterfall(detail, trace, spanId);
  } catch (err) {
    fill(detail, h('p', { class: 'error-banner', role: 'alert' }, `Trace: ${err.message}`));
  }
}

function renderWaterfall(detail, trace, pickedSpanId) {
  const total = Math.max(trace.durationMs, 0.001);
  const rows = trace.spans.map((span) => {
    const left = (span.startOffsetMs / total) * 100;
    const width = Math.max((span.durationMs / total) * 100, 0.2);
    const isError = span.statusCode === STATUS_ERROR;
    const attrs = Object.entries(span.attributes)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    const title =
      `${span.name} (${span.service})\n${fmtMs(span.durationMs)} at +${fmtMs(span.startOffsetMs)}` +
      (isError ? `\nerror: ${span.statusMessage}` : '') +
      (attrs ? `\n${attrs}` : '');
    return h(
      'div',
      {
        class: span.spanId === pickedSpanId ? 'wf-row picked' : 'wf-row',
        role: 'row',
        title,
        'data-span-id': span.spanId,
      },
      h(
        'div',
        { class: 'wf-label', role: 'rowheader', 'data-depth': Math.min(span.depth, 12) },
        span.name,
      ),
      h(
        'div',
        { class: 'wf-track', role: 'cell' },
        h('div', {
          class: isError ? 'wf-bar error' : 'wf-bar',
          'data-left': left.toFixed(3),
          'data-width': width.toFixed(3),
          'aria-label': `${span.name}: ${fmtMs(span.durationMs)}${isError ? ', error' : ''}`,
        }),
        h('span', durationLabelPlacement(left, width), fmtMs(span.durationMs)),
      ),
    );
  });
  const picked = trace.spans.find((s) => s.spanId === pickedSpanId);
  fill(
    detail,
    h('h3', {}, trace.spans[0]?.name ?? trace.traceId),
    h(
      'ul',
      { class: 'facts' },
      h('li', { class: 'trace-id' }, `trace ${trace.traceId}`),
      h('li', {}, `${trace.spans.length} spans${trace.truncated ? ' (truncated)' : ''}`),
      h('li', {}, `duration ${fmtMs(trace.durationMs)}`),
      h('li', {}, fmtTime(trace.startTimeMs)),
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            'data-link': 'trace-logs',
            onclick: () => showLogs({ trace: trace.traceId }),
          },
          'logs of this trace',
        ),
      ),
    ),
    h('h4', {}, 'Waterfall'),
    h(
      'div',
      { class: 'waterfall', role: 'table', 'aria-label': 'Trace waterfall' },
      h('div', { class: 'wf-axis', 'aria-hidden': 'true' }, ...axisTicks(total)),
      rows,
    ),
    picked ? spanDetail(picked) : null,
  );
  // Positions are set through the CSSOM (allowed by the page's CSP, unlike style attributes).
  for (const el of detail.querySelectorAll('[data-right]')) {
    el.style.right = `${el.dataset.right}%`;
  }
  for (const el of detail.querySelectorAll('[data-left]')) {
    el.style.left = `${el.dataset.left}%`;
    if (el.dataset.width) el.style.width = `${el.dataset.width}%`;
  }
  for (const el of detail.querySelectorAll('[data-depth]')) {
    el.style.paddingLeft = `${Number(el.dataset.depth) * 0.9}rem`;
  }
}

/** The picked span's attributes and status, under the waterfall. */
function spanDetail(span) {
  const entries = Object.entries(span.attributes);
  return h(
    'section',
    { class: 'span-detail', 'aria-label': `Span ${span.name}` },
    h('h4', {}, `Span ${span.name}`),
    h(
      'dl',
      { class: 'crumb-data' },
      h('dt', {}, 'duration'),
      h('dd', {}, fmtMs(span.durationMs)),
      h('dt', {}, 'service'),
      h('dd', {}, span.service),
      span.statusCode === STATUS_ERROR
        ? [h('dt', {}, 'error'), h('dd', {}, span.statusMessage)]
        : null,
      entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
  );
}

/**
 * Where a bar's duration label goes: after the bar when there is room, else before it, else
 * inside it (white on the bar), so labels never run over other bars or off the track.
 */
function durationLabelPlacement(left, width) {
  if (left + width <= 85) return { class: 'wf-dur', 'data-left': (left + width).toFixed(3) };
  if (left >= 15) return { class: 'wf-dur before', 'data-right': (100 - left).toFixed(3) };
  return { class: 'wf-dur inside', 'data-right': (100 - left - width).toFixed(3) };
}

function axisTicks(total) {
  if (total < 0.01) return [h('span', {}, fmtMs(0))];
  return [0, 0.25, 0.5, 0.75, 1].map((f) => h('span', {}, fmtMs(total * f)));
}
