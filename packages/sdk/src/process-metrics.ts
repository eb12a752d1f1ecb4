import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Meter } from '@opentelemetry/api';

/**
 * Process CPU and memory metrics per the OpenTelemetry semantic conventions:
 * process.cpu.time, process.cpu.utilization, process.memory.usage, v8js.memory.heap.used and
 * nodejs.eventloop.delay.p99. Everything is observable (read at collection time), so the
 * host's hot path pays nothing. Returns a function that stops the event-loop monitor.
 */
export function registerProcessMetrics(meter: Meter): () => void {
  const cpuCount = Math.max(1, cpus().length);
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();

  const cpuTime = meter.createObservableCounter('process.cpu.time', {
    unit: 's',
    description: 'Total CPU seconds broken down by mode',
  });
  cpuTime.addCallback((result) => {
    const usage = process.cpuUsage();
    result.observe(usage.user / 1e6, { 'cpu.mode': 'user' });
    result.observe(usage.system / 1e6, { 'cpu.mode': 'system' });
  });

  const utilization = meter.createObservableGauge('process.cpu.utilization', {
    unit: '1',
    description:
      'CPU time since the last measurement divided by elapsed time and the number of CPUs (0..1)',
  });
  utilization.addCallback((result) => {
    const now = performance.now();
    const usage = process.cpuUsage();
    const elapsedUs = (now - lastAt) * 1000;
    if (elapsedUs > 0) {
      const denominator = elapsedUs * cpuCount;
      result.observe(clamp01((usage.user - lastCpu.user) / denominator), { 'cpu.mode': 'user' });
      result.observe(clamp01((usage.system - lastCpu.system) / denominator), {
        'cpu.mode': 'system',
      });
    }
    lastCpu = usage;
    lastAt = now;
  });

  const memory = meter.createObservableUpDownCounter('process.memory.usage', {
    unit: 'By',
    description: 'The amount of physical memory in use (resident set size)',
  });
  memory.addCallback((result) => result.observe(process.memoryUsage.rss()));

  const heap = meter.createObservableUpDownCounter('v8js.memory.heap.used', {
    unit: 'By',
    description: 'Heap memory used by V8',
  });
  heap.addCallback((result) => result.observe(process.memoryUsage().heapUsed));

  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  const delayP99 = meter.createObservableGauge('nodejs.eventloop.delay.p99', {
    unit: 's',
    description: 'Event loop delay, 99th percentile since the last collection',
  });
  delayP99.addCallback((result) => {
    if (loopDelay.count > 0) result.observe(loopDelay.percentile(99) / 1e9);
    loopDelay.reset();
  });

  return () => loopDelay.disable();
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
