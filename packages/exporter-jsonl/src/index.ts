// Public API of @otelspool/exporter-jsonl. Each area's barrel lists its exports by name.
export * from './otlp/index.js';
export * from './writer/index.js';
export * from './reader/index.js';
export * from './exporters/index.js';
export * from './fs/index.js';
