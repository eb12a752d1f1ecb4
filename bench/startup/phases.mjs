// Not a bench row: where the G11 time goes, in one process (`npx node bench/startup/phases.mjs DIR`).
// Prints Node's own boot (time before this script runs), import, startTelemetry, one span,
// shutdown, and when the process exits on its own.
const t0 = performance.now();
const { startTelemetry } = await import('@otelspool/sdk');
const t1 = performance.now();
const telemetry = await startTelemetry({ serviceName: 'bench-startup', dir: process.argv[2] });
const t2 = performance.now();
telemetry.tracer.startSpan('startup').end();
const t3 = performance.now();
await telemetry.shutdown();
const t4 = performance.now();
const ms = (a, b) => (b - a).toFixed(1);
console.log(
  `boot ${t0.toFixed(1)} · import ${ms(t0, t1)} · start ${ms(t1, t2)} · span ${ms(t2, t3)} · shutdown ${ms(t3, t4)} ms`,
);
process.on('exit', () => console.log(`exit at ${performance.now().toFixed(1)} ms`));
