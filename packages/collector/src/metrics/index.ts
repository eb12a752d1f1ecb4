export {
  type StalenessReport,
  DEFAULT_OUT_OF_ORDER_WINDOW_MS,
  orderMetricPoints,
  findStalePoints,
  staleMetricsWarning,
  type PrometheusMetricType,
  prometheusMetricType,
  prometheusMetricName,
  prometheusSeriesNames,
  prometheusLabelName,
} from './prometheus.js';
