// The trace list and the waterfall of one trace (Jaeger-style: one row per span, indented by
// depth, a bar from its start offset for its duration).
import { fill, fillPickList, fmtMs, fmtTime, h, markPicked } from './dom.js';

const STATUS_ERROR = 2;
let selectedTraceId = null;

/** Renders the list of recent traces; keeps (and re-renders) the selected one if still there. */
export function renderTraceList(traces, fetchJson) {
  fillPickList(document.getElementById('trace-list'), traces, {
    empty: 'No traces in the spool yet.',
    idOf: (t) => t.traceId,
    selectedId: selectedTraceId,
    onPick: (t) => selectTrace(t.traceId, fetchJson),
    title: (t) => [
      t.rootName || '(unnamed)',
      t.errorCount > 0 ? h('span', { class: 'pill' }, `${t.errorCount} error`) : null,
    ],
    meta: (t) =>
      `${t.service} · ${fmtMs(t.durationMs)} · ${t.spanCount} spans · ${fmtTime(t.startTimeMs)}`,
  });
  if (selectedTraceId !== null && traces.some((t) => t.traceId === selectedTraceId)) {
    void selectTrace(selectedTraceId, fetchJson);
  }
}

/** Opens one trace's waterfall (from the list or from a crash that happened inside it). */
export async function showTrace(traceId, fetchJson) {
  await selectTrace(traceId, fetchJson);
  document.getElementById('trace-detail').scrollIntoView({ block: 'nearest' });
}

async function selectTrace(traceId, fetchJson) {
  selectedTraceId = traceId;
  markPicked(document.getElementById('trace-list'), traceId);
  const detail = document.getElementById('trace-detail');
  try {
    const trace = await fetchJson(`/api/traces/${encodeURIComponent(traceId)}`);
    if (selectedTraceId === traceId) renderWaterfall(detail, trace);
  } catch (err) {
    fill(detail, h('p', { class: 'error-banner', role: 'alert' }, `Trace: ${err.message}`));
  }
}

function renderWaterfall(detail, trace) {
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
      { class: 'wf-row', role: 'row', title },
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
  fill(
    detail,
    h('h3', {}, trace.spans[0]?.name ?? trace.traceId),
    h(
      'ul',
      { class: 'facts' },
      h('li', {}, `trace ${trace.traceId}`),
      h('li', {}, `${trace.spans.length} spans${trace.truncated ? ' (truncated)' : ''}`),
      h('li', {}, `duration ${fmtMs(trace.durationMs)}`),
      h('li', {}, fmtTime(trace.startTimeMs)),
    ),
    h('h4', {}, 'Waterfall'),
    h(
      'div',
      { class: 'waterfall', role: 'table', 'aria-label': 'Trace waterfall' },
      h('div', { class: 'wf-axis', 'aria-hidden': 'true' }, ...axisTicks(total)),
      rows,
    ),
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
