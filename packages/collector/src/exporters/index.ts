export { type OtlpHttpExporterOptions, OtlpHttpExporter } from './otlp-http-exporter.js';
export { DryRunExporter } from './dry-run-exporter.js';
export { SpoolWriterExporter, DEFAULT_MAX_IN_FLIGHT_BYTES } from './spool-writer-exporter.js';
