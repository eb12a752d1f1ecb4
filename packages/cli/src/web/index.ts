// Public API of the web dashboard: `spool dashboard` serves it alone, `spool serve` mounts it
// as the OTLP receiver's fallback handler.
export {
  createDashboardHandler,
  type DashboardHandler,
  type DashboardHandlerOptions,
} from './dashboard-handler.js';
export { type TraceSummary, type TraceDetail, type WaterfallSpan } from './trace-index.js';
export {
  startDashboardServer,
  type DashboardServer,
  type DashboardServerOptions,
} from './dashboard-server.js';
