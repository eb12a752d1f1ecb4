// G11 ours: import '@otelspool/sdk', startTelemetry defaults, one span, shutdown, exit.
import { startTelemetry } from '@otelspool/sdk';

const telemetry = await startTelemetry({ serviceName: 'bench-startup', dir: process.argv[2] });
telemetry.tracer.startSpan('startup').end();
await telemetry.shutdown();
