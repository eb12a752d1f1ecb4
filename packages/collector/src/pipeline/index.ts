export {
  type TelemetryItem,
  type Processor,
  type ItemBatch,
  type ExportStatus,
  type ExportResult,
  type Exporter,
} from './types.js';
export { Pipeline, type PipelineOptions, type PipelineStats } from './pipeline.js';
