export { JsonlSpanExporter } from './span-exporter.js';
export { JsonlMetricExporter } from './metric-exporter.js';
export type { JsonlMetricExporterOptions } from './metric-exporter.js';
export { JsonlLogExporter } from './log-exporter.js';
export type { JsonlExporterOptions } from './exporter-options.js';
export type { LineExportStats } from './line-export-engine.js';
