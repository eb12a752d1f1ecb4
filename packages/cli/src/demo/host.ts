// A sample plugin host instrumented with otelspool and the standard OpenTelemetry API.
// It ships inside @otelspool/cli (dist/demo/host.js) so that `spool demo` works wherever the
// CLI is installed; examples/plugin-host/host.mjs in the repository runs this same file.
//
//   node examples/plugin-host/host.mjs [--dir DIR] [--duration 5] [--crash]
//
// Without --dir it writes where startTelemetry() puts every app's spool ($SPOOL_DIR, else
// ~/.local/share/otelspool/demo-plugin-host on Linux), which `spool report` finds by itself.
//
// It loads a few plugin instances, processes audio-like blocks against a buffer deadline
// (spans per block and per plugin, a block-duration histogram), emits realistic events
// (plugin load, preset change, buffer underrun/xrun, CPU overload), some errors, and with
// --crash dies of an uncaught exception inside a plugin, as real plugins sometimes do.
import { parseArgs } from 'node:util';
import { SpanStatusCode, trace, metrics } from '@opentelemetry/api';
import { startTelemetry } from '@otelspool/sdk';
import { PLUGIN_TYPES } from './plugins.js';
import type { Plugin } from './plugins.js';
import { DEMO_SERVICE, DEMO_VERSION } from './service.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    duration: { type: 'string', default: '5' },
    crash: { type: 'boolean', default: false },
    'block-size': { type: 'string', default: '512' },
  },
});
const durationMs = Math.max(0.2, Number(values.duration) || 5) * 1000;
const blockSize = Number(values['block-size']) || 512;
const sampleRate = 48_000;
const deadlineMs = (blockSize / sampleRate) * 1000; // 10.67 ms at 512 samples

const telemetry = await startTelemetry({
  serviceName: DEMO_SERVICE,
  serviceVersion: DEMO_VERSION,
  dir: values.dir,
  durability: 'batch',
  metricIntervalMs: 500,
});

const tracer = trace.getTracer(DEMO_SERVICE, DEMO_VERSION);
const meter = metrics.getMeter(DEMO_SERVICE, DEMO_VERSION);
const blockDuration = meter.createHistogram('plugin.block.duration', {
  unit: 'ms',
  description: 'Time a plugin took to process one audio block',
  advice: { explicitBucketBoundaries: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16] },
});
const xruns = meter.createCounter('plugin.xruns', {
  unit: '{xrun}',
  description: 'Audio blocks that missed the buffer deadline',
});
const blocksProcessed = meter.createCounter('host.blocks', { unit: '{block}' });
// A counter series exists from its first add: start it at 0 so a run without an xrun still
// exports `plugin_xruns_total 0` (Prometheus advises initialising counters; rate() and the
// Grafana panel then show 0 instead of "no data").
xruns.add(0, { 'plugin.name': 'host' });

// Tell whoever started us (e.g. `spool demo`) which session this is, before anything can crash.
process.stdout.write(JSON.stringify({ event: 'started', sessionId: telemetry.sessionId }) + '\n');

// Safe resume: after a crash loop, start without the plugin that crashed last time.
const lastRun = telemetry.getLastRunInfo();
const safeMode = lastRun.consecutiveLaunchCrashes >= 2;
if (lastRun.crashed || lastRun.abnormal) {
  telemetry.log.warn('previous session did not end cleanly', {
    'previous.crashed': lastRun.crashed,
    'previous.abnormal': lastRun.abnormal,
    safe_mode: safeMode,
  });
}

// Load plugin instances, each in its own span. In safe mode the plugin that was active when
// the previous session crashed is skipped (its name comes from the resumable session state).
const crashedPlugin = safeMode
  ? (lastRun.state as { activePlugin?: string } | null)?.activePlugin
  : undefined;
const instances: Plugin[] = [];
for (const [i, Type] of [
  PLUGIN_TYPES.FilterPlugin,
  PLUGIN_TYPES.ReverbPlugin,
  PLUGIN_TYPES.SynthPlugin,
].entries()) {
  await tracer.startActiveSpan('plugin.load', async (span) => {
    const plugin = new Type();
    if (plugin.name === crashedPlugin) {
      telemetry.event('plugin.skipped', { 'plugin.name': plugin.name, reason: 'safe_mode' });
      span.setAttribute('plugin.skipped', true);
      span.end();
      return;
    }
    span.setAttributes({ 'plugin.name': plugin.name, 'plugin.slot': i, 'plugin.format': 'vst3' });
    await new Promise((r) => setTimeout(r, 5 + i * 3)); // scanning and loading resources
    instances.push(plugin);
    telemetry.event('plugin.load', { 'plugin.name': plugin.name, 'plugin.slot': i });
    span.end();
  });
}
telemetry.markLaunchCompleted();
const sessionState = { openProject: 'demo-song.als', plugins: instances.map((p) => p.name) };
telemetry.setSessionState(sessionState);

const presets = ['Warm Pad', 'Big Hall', 'Tight Room', 'Bright Lead', 'corrupted.fxp'];
const block = new Float32Array(blockSize);
const started = performance.now();
let blocks = 0;
let underruns = 0;
let nextPresetAt = 400;
const crashAt = durationMs * 0.6;
let crashScheduled = false;

interface FilterBank {
  stages: Array<{ coefficients: number[] }>;
}

function applyAutomation(filterBank: FilterBank, value: number): number[] {
  // A plugin bug, on purpose: stage 3 was never allocated (the `!` is the bug).
  return filterBank.stages[3]!.coefficients.map((c) => c * value);
}

while (performance.now() - started < durationMs) {
  const elapsed = performance.now() - started;
  tracer.startActiveSpan('host.audio_block', (blockSpan) => {
    blockSpan.setAttribute('audio.block.size', blockSize);
    const blockStart = performance.now();
    for (let i = 0; i < block.length; i++) block[i] = Math.random() * 2 - 1;
    for (const plugin of instances) {
      tracer.startActiveSpan('plugin.process', (span) => {
        span.setAttribute('plugin.name', plugin.name);
        const t0 = performance.now();
        // Occasional heavy blocks (e.g. a voice burst) push some blocks past the deadline.
        if (plugin instanceof PLUGIN_TYPES.SynthPlugin)
          plugin.voices = Math.random() < 0.03 ? 400 : 4;
        plugin.process(block);
        const ms = performance.now() - t0;
        blockDuration.record(ms, { 'plugin.name': plugin.name });
        span.end();
      });
    }
    if (values.crash && elapsed > crashAt && !crashScheduled) {
      crashScheduled = true;
      // A plugin bug: parameter automation dereferences a filter that was never allocated.
      // The exception escapes a timer callback while the automation span is active.
      tracer.startActiveSpan('plugin.automation', (span) => {
        span.setAttribute('plugin.name', 'hall-reverb');
        telemetry.setSessionState({ ...sessionState, activePlugin: 'hall-reverb' });
        const filterBank: FilterBank = { stages: [] };
        setTimeout(() => applyAutomation(filterBank, 0.8), 1);
      });
    }
    const total = performance.now() - blockStart;
    blocksProcessed.add(1);
    if (total > deadlineMs) {
      underruns++;
      xruns.add(1, { 'plugin.name': 'host' });
      telemetry.event('buffer.underrun', {
        'audio.block.duration_ms': Number(total.toFixed(3)),
        'audio.deadline_ms': Number(deadlineMs.toFixed(3)),
      });
      if (total > deadlineMs * 2) {
        telemetry.event('cpu.overload', { 'audio.block.duration_ms': Number(total.toFixed(3)) });
      }
    }
    blockSpan.end();
  });
  blocks++;

  if (elapsed > nextPresetAt) {
    nextPresetAt += 400 + Math.random() * 400;
    const preset = presets[Math.floor(Math.random() * presets.length)]!;
    tracer.startActiveSpan('preset.load', (span) => {
      span.setAttribute('preset.name', preset);
      if (preset.endsWith('.fxp')) {
        const error = new Error(`Preset file is corrupted: ${preset}`);
        span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        telemetry.log.error('preset could not be loaded', { 'preset.name': preset });
      } else {
        telemetry.event('preset.change', { 'preset.name': preset });
      }
      span.end();
    });
  }
  // Yield to the event loop like a real host between callbacks (lets telemetry flush).
  await new Promise((r) => setTimeout(r, Math.max(0, deadlineMs - 2)));
}

telemetry.log.info('demo finished', { 'host.blocks': blocks, 'host.underruns': underruns });
await telemetry.shutdown();
process.stdout.write(
  JSON.stringify({
    event: 'finished',
    blocks,
    underruns,
    sessionId: telemetry.sessionId,
    safeMode,
    previous: lastRun,
  }) + '\n',
);
