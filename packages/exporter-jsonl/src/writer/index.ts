export { SpoolWriter } from './spool-writer.js';
export { DEFAULT_WRITER_OPTIONS } from './options.js';
export type { Counts, DropReason, Durability, SpoolStats, SpoolWriterOptions } from './options.js';
export { parseSegmentName, segmentFileName } from './segment-name.js';
export type { ParsedSegmentName } from './segment-name.js';
export { scanSegments, liveSegmentPaths, shippedSegmentTest } from './spool-usage.js';
export type { ScannedSegment } from './spool-usage.js';
