// Draws /api/report (buildReport's output): cards, resource charts, latency histogram,
// crashes per host/version, telemetry health and the top spans/events tables.
import { barChart, timeSeriesChart } from './charts.js';
import { cssVar, fill, fmtCount, fmtMs, fmtPercent, h } from './dom.js';
import { reportToView } from './report-shape.js';

export function renderReport(report) {
  const view = reportToView(report);
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
    { label: 'spans' },
  );
  barChart(
    'chart-crash-hosts',
    view.crashesByHost.map((c) => c.label),
    view.crashesByHost.map((c) => c.count),
    { label: 'crashes', color: cssVar('--bad') },
  );
  barChart(
    'chart-crash-versions',
    view.crashesByVersion.map((c) => c.label),
    view.crashesByVersion.map((c) => c.count),
    { label: 'crashes', color: cssVar('--bad') },
  );
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

function renderTopSpans(spans) {
  const body = document.querySelector('#top-spans tbody');
  if (spans.length === 0) {
    fill(body, h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No spans yet.')));
    return;
  }
  fill(
    body,
    spans.map((s) =>
      h(
        'tr',
        {},
        h('td', { class: 'name' }, s.name),
        h('td', { class: 'num' }, fmtCount(s.count)),
        h('td', { class: s.errorRate >= 0.05 ? 'num err-high' : 'num' }, fmtPercent(s.errorRate)),
        h('td', { class: 'num' }, fmtMs(s.p50)),
        h('td', { class: 'num' }, fmtMs(s.p95)),
        h('td', { class: 'num' }, fmtMs(s.p99)),
      ),
    ),
  );
}

function renderTopEvents(events) {
  const body = document.querySelector('#top-events tbody');
  if (events.length === 0) {
    fill(body, h('tr', {}, h('td', { colspan: 2, class: 'muted' }, 'No events yet.')));
    return;
  }
  fill(
    body,
    events.map((e) =>
      h('tr', {}, h('td', { class: 'name' }, e.name), h('td', { class: 'num' }, fmtCount(e.count))),
    ),
  );
}
