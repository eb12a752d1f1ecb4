// Entry point of the single-page dashboard: fetches the JSON APIs, renders every section and
// refetches when the server says the spool grew (Server-Sent Events on /api/events).
import { chartState, resizeCharts } from './charts.js';
import { renderCrashGroups } from './crashes-view.js';
import { fill, fmtTime } from './dom.js';
import { initLogSearch, logState, refreshLogs } from './logs-view.js';
import { renderReport } from './report-view.js';
import { initTraceSearch, refreshTraces, traceState } from './traces-view.js';

/** Read by the browser test; also handy in devtools. */
const state = {
  ready: false,
  refreshes: 0,
  errors: [],
  charts: chartState,
  traces: traceState,
  logs: logState,
  spoolVersion: null,
};
window.__dashboard = state;

async function fetchJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.message ?? `${response.status} ${response.statusText}`);
  }
  return body;
}

let refreshing = null;
let refreshAgain = false;

/** Refreshes every section; calls made while one is running coalesce into one more run. */
function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      await refreshOnce();
    } while (refreshAgain);
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * Each part is drawn as soon as its own request answers: the crash list and the trace search
 * do not wait for the report's whole-spool scan (the slowest part on a big spool).
 */
async function refreshOnce() {
  const problems = [];
  const part = (name, work) =>
    work().catch((err) => {
      problems.push(`${name}: ${err.message}`);
    });
  await Promise.all([
    part('report', async () => renderReport(await fetchJson('/api/report'))),
    part('crashes', async () => renderCrashGroups(await fetchJson('/api/crashes'), fetchJson)),
    part('traces', () => refreshTraces()),
    part('logs', () => refreshLogs()),
  ]);

  const banner = document.getElementById('error-banner');
  banner.hidden = problems.length === 0;
  fill(banner, problems.length > 0 ? `Could not load ${problems.join('; ')}` : '');
  state.errors = problems;
  state.refreshes++;
  state.ready = true;
  setStatus(`Updated ${fmtTime(Date.now())}`);
}

let live = false;
function setStatus(text) {
  const status = document.getElementById('live-status');
  status.classList.toggle('live', live);
  fill(status, live ? `Live · ${text}` : text);
}

function connectLiveUpdates() {
  if (typeof window.EventSource === 'undefined') return;
  const source = new window.EventSource('/api/events');
  source.addEventListener('open', () => {
    live = true;
  });
  source.addEventListener('hello', (event) => {
    live = true;
    const { version } = JSON.parse(event.data);
    // After a reconnect the spool may have changed while the stream was down.
    if (state.spoolVersion !== null && version !== state.spoolVersion) void refresh();
    state.spoolVersion = version;
    if (state.ready) setStatus(`Updated ${fmtTime(Date.now())}`);
  });
  source.addEventListener('spool', (event) => {
    state.spoolVersion = JSON.parse(event.data).version;
    void refresh();
  });
  source.addEventListener('error', () => {
    live = false;
    setStatus('Reconnecting…');
  });
}

let resizeTimer;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(resizeCharts, 150);
});

// The stream opens first so that no change between the first fetch and `hello` is missed.
initTraceSearch(fetchJson);
initLogSearch(fetchJson);
connectLiveUpdates();
void refresh();
