export {
  type StalenessReport,
  DEFAULT_OUT_OF_ORDER_WINDOW_MS,
  orderMetricPoints,
  findStalePoints,
  staleMetricsWarning,
} from './prometheus.js';
