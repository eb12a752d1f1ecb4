// Draws /api/report (buildReport's output): cards, resource charts, latency histogram,
// crashes per host/version, telemetry health and the top spans/events tables.
import { barChart, setDefaultEmpty, timeSeriesChart } from './charts.js';
import { cssVar, fill, fmtCount, fmtMs, fmtPercent, h } from './dom.js';
import { reportToView } from './report-shape.js';
import { setEmptyHint } from './traces-view.js';

/** The one command that puts data into this spool: the sample app, writing here. */
function getDataIn(dir) {
  return () =>
    h(
      'span',
      { class: 'get-data' },
      'Get data in: ',
      h('code', {}, `npx spool demo --dir ${shellQuote(dir)}`),
    );
}

function shellQuote(text) {
  return /^[\w@%+=:,./~-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

export function renderReport(report) {
  const view = reportToView(report);
  const hint = getDataIn(report.dir);
  setDefaultEmpty(() => ['No data yet. ', hint()]);
  setEmptyHint(hint);
  fill(document.getElementById('scope'), view.scope);
  renderCards(view.cards);
  timeSeriesChart('chart-cpu', view.cpu.times, [{ label: 'CPU', values: view.cpu.values }], {
    unit: ' %',
  });
  timeSeriesChart(
    'chart-memory',
    view.memory.times,
    view.memory.series.map((s) => ({ label: s.label, values: s.values })),
    { unit: ' MiB' },
  );
  barChart(
    'chart-latency',
    view.latency.map((b) => b.label),
    view.latency.map((b) => b.count),
    { label: 'spans', empty: ['No spans yet. ', hint()] },
  );
  crashChart('chart-crash-hosts', view.crashesByHost);
  crashChart('chart-crash-versions', view.crashesByVersion);
  renderHealth(view.health);
  renderTopSpans(view.topSpans);
  renderTopEvents(view.topEvents);
}

function renderCards(cards) {
  fill(
    document.getElementById('cards'),
    cards.map((c) =>
      h(
        'li',
        { class: `card ${c.tone ?? ''}` },
        h('div', { class: 'label' }, c.label),
        h('div', { class: 'value' }, c.value),
        c.sub ? h('div', { class: 'sub' }, c.sub) : null,
      ),
    ),
  );
}

function renderHealth(rows) {
  fill(
    document.getElementById('health'),
    rows.flatMap((r) => [h('dt', {}, r.label), h('dd', {}, r.value)]),
  );
}

/** Crash counts per host or per version, as bars in the "bad" colour. */
function crashChart(id, rows) {
  barChart(
    id,
    rows.map((c) => c.label),
    rows.map((c) => c.count),
    // An empty crash chart is the truth, not missing data.
    { label: 'crashes', color: cssVar('--bad'), empty: 'No crashes' },
  );
}

/** One table row per item (`cells(item)`), or one muted row spanning every column. */
function fillTable(selector, items, columns, empty, cells) {
  const body = document.querySelector(`${selector} tbody`);
  if (items.length === 0) {
    fill(body, h('tr', {}, h('td', { colspan: columns, class: 'muted' }, empty)));
    return;
  }
  fill(
    body,
    items.map((item) => h('tr', {}, cells(item))),
  );
}

function renderTopSpans(spans) {
  fillTable('#top-spans', spans, 6, 'No spans yet.', (s) => [
    h('td', { class: 'name' }, s.name),
    h('td', { class: 'num' }, fmtCount(s.count)),
    h('td', { class: s.errorRate >= 0.05 ? 'num err-high' : 'num' }, fmtPercent(s.errorRate)),
    h('td', { class: 'num' }, fmtMs(s.p50)),
    h('td', { class: 'num' }, fmtMs(s.p95)),
    h('td', { class: 'num' }, fmtMs(s.p99)),
  ]);
}

function renderTopEvents(events) {
  fillTable('#top-events', events, 2, 'No events yet.', (e) => [
    h('td', { class: 'name' }, e.name),
    h('td', { class: 'num' }, fmtCount(e.count)),
  ]);
}
