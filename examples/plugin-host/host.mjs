// The sample plugin host: a toy audio host that loads three plugin instances, processes
// audio-like blocks against a buffer deadline and records spans, metrics, events, errors and
// (with --crash) a real crash through otelspool and the standard OpenTelemetry API.
//
//   node examples/plugin-host/host.mjs [--dir DIR] [--duration 5] [--crash]
//
// Its code lives in @otelspool/cli (packages/cli/src/demo/host.ts and plugins.ts), which ships
// it so that `spool demo` works wherever the CLI is installed; this file runs that same code
// (build first: npm run build).
import '@otelspool/cli/demo/host';
