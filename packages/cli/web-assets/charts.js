// uPlot wrappers for the dashboard's charts. uPlot (loaded from /assets, shipped with the
// package) draws on a canvas; each chart's data is also published on window.__dashboard so
// tests and curious users can see exactly what was drawn.
import { cssVar, fill, fmtCount, h } from './dom.js';

const charts = new Map();
const CHART_HEIGHT = 220;

/** What each chart currently shows: { points, series } (read by the browser test). */
export const chartState = {};

function widthOf(container) {
  return Math.max(240, Math.floor(container.getBoundingClientRect().width));
}

/**
 * The canvas is invisible to screen readers, so each chart's container (role="img") carries a
 * text summary of what it draws, kept in sync with the data.
 */
function describe(container, summary) {
  container.dataset.title ??= container.getAttribute('aria-label') ?? '';
  container.setAttribute('aria-label', `${container.dataset.title}: ${summary}`);
}

/**
 * What an empty chart says: `empty` is text or nodes (e.g. "No crashes", or how to get data
 * in); the default is set by the report view once it knows the spool's directory.
 */
let defaultEmpty = () => 'No data yet';
export function setDefaultEmpty(render) {
  defaultEmpty = render;
}

function mount(id, options, data, summary, empty) {
  const container = document.getElementById(id);
  const points = data[0]?.length ?? 0;
  describe(container, points ? summary : 'no data yet');
  charts.get(id)?.destroy();
  charts.delete(id);
  chartState[id] = { points, series: data.length - 1, data, kind: 'chart' };
  if (points === 0) {
    chartState[id].kind = 'empty';
    fill(container, h('p', { class: 'empty' }, h('span', {}, empty ?? defaultEmpty())));
    return;
  }
  fill(container);
  const axisStroke = cssVar('--muted');
  const grid = { stroke: cssVar('--border'), width: 1 };
  const plot = new window.uPlot(
    {
      width: widthOf(container),
      height: CHART_HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      ...options,
      axes: (options.axes ?? [{}, {}]).map((axis) => ({
        stroke: axisStroke,
        grid,
        ticks: grid,
        ...axis,
      })),
    },
    data,
    container,
  );
  charts.set(id, plot);
}

/** A line chart over time. `times` are epoch ms; each series is { label, values, color }. */
export function timeSeriesChart(id, times, series, { unit = '', digits = 1, empty } = {}) {
  const palette = [cssVar('--accent'), cssVar('--warn'), cssVar('--good'), cssVar('--bad')];
  mount(
    id,
    {
      scales: { x: { time: true } },
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: palette[i % palette.length],
          width: 2,
          // Sessions leave gaps in time: the line joins across them (a dot marks every
          // sample while there are few), it never pretends a sample exists between them.
          spanGaps: true,
          points: { show: times.length < 60 },
          value: (_u, v) => (v === null || v === undefined ? '–' : `${v.toFixed(digits)}${unit}`),
        })),
      ],
      legend: { show: series.length > 1 },
      axes: [{}, { size: 52 }],
    },
    [times.map((t) => t / 1000), ...series.map((s) => s.values)],
    series
      .map((s) => {
        const values = s.values.filter((v) => Number.isFinite(v));
        const fmt = (v) => `${v.toFixed(digits)}${unit}`;
        return values.length === 0
          ? `${s.label} no data`
          : `${s.label} latest ${fmt(values[values.length - 1])}, max ${fmt(Math.max(...values))}`;
      })
      .join('; '),
    empty,
  );
}

/**
 * A bar chart of labelled counts (crashes per host, latency buckets). A single bar says
 * nothing a number would not, so one label becomes a stat: the count, large, and its label.
 */
export function barChart(id, labels, counts, { label = 'count', color, empty } = {}) {
  if (labels.length === 1) {
    stat(id, labels[0], counts[0], label);
    return;
  }
  const fillColor = color ?? cssVar('--bar');
  const x = labels.map((_l, i) => i);
  mount(
    id,
    {
      legend: { show: false },
      scales: {
        x: { time: false, range: [-0.5, Math.max(0.5, labels.length - 0.5)] },
        y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
      },
      series: [
        {},
        {
          label,
          fill: fillColor,
          stroke: fillColor,
          width: 0,
          paths: window.uPlot.paths.bars({ size: [0.7, 80], align: 0 }),
          points: { show: false },
          value: (_u, v) => fmtCount(v),
        },
      ],
      axes: [
        {
          splits: () => x,
          // Every bar keeps its tick; labels are thinned so they never overlap.
          values: (u, ticks) => {
            const step = Math.max(
              1,
              Math.ceil((ticks.length * 64) / Math.max(1, u.bbox.width / window.devicePixelRatio)),
            );
            return ticks.map((t, i) => (i % step === 0 ? shorten(labels[t] ?? '', 14) : ''));
          },
          gap: 6,
          size: 44,
        },
        {
          size: 48,
          values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? fmtCount(t) : '')),
        },
      ],
    },
    [x, counts],
    labels.map((l, i) => `${l} ${fmtCount(counts[i])}`).join(', '),
    empty,
  );
}

function stat(id, name, count, unit) {
  const container = document.getElementById(id);
  charts.get(id)?.destroy();
  charts.delete(id);
  chartState[id] = { points: 1, series: 1, data: [[0], [count]], kind: 'stat' };
  describe(container, `${name} ${fmtCount(count)}`);
  fill(
    container,
    h(
      'div',
      { class: 'stat' },
      h('span', { class: 'stat-value' }, fmtCount(count)),
      h('span', { class: 'stat-label' }, `${unit} · ${name}`),
    ),
  );
}

function shorten(text, max) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Keeps every chart as wide as its panel. */
export function resizeCharts() {
  for (const [id, plot] of charts) {
    const container = document.getElementById(id);
    if (container) plot.setSize({ width: widthOf(container), height: CHART_HEIGHT });
  }
}
