// G3: equal-size ~1.2 KB JSON lines to a file: ours (JSON.stringify + SpoolWriter.append)
// vs pino's default destination (SonicBoom, sync) and bunyan's file stream. Every
// implementation serialises the same record object; the clock stops once the lines are
// handed to the OS (writer flushed / stream finished).
import { once } from 'node:events';
import { join } from 'node:path';
import bunyan from 'bunyan';
import pino from 'pino';
import { SpoolWriter } from '../../packages/exporter-jsonl/dist/index.js';
import {
  argValue,
  readJsonLines,
  removeDir,
  report,
  tempDir,
  yieldToLoop,
} from '../lib/harness.mjs';

const impl = argValue('impl', 'ours');
const total = Number(argValue('n', '100000'));
const dir = tempDir(`g3-${impl}`);
const payload = {
  msg: 'audio block processed',
  plugin: 'com.example.reverb',
  detail: 'y'.repeat(1000),
  block: 0,
};

let log;
let finish;
if (impl === 'ours') {
  const writer = new SpoolWriter({ dir, maxQueueBytes: 256 * 1024 * 1024 });
  log = (i) => {
    payload.block = i;
    writer.append(
      'logs',
      JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, ...payload }),
      1,
    );
  };
  finish = () => writer.shutdown();
} else if (impl === 'pino') {
  const destination = pino.destination({ dest: join(dir, 'pino.log') });
  const logger = pino({ base: { pid: process.pid } }, destination);
  log = (i) => {
    payload.block = i;
    logger.info({ plugin: payload.plugin, detail: payload.detail, block: i }, payload.msg);
  };
  finish = async () => {
    destination.flushSync();
    destination.end();
  };
} else {
  const stream = bunyan.createLogger({
    name: 'bench',
    streams: [{ path: join(dir, 'bunyan.log') }],
  });
  log = (i) => {
    stream.info({ plugin: payload.plugin, detail: payload.detail, block: i }, payload.msg);
  };
  finish = async () => {
    const s = stream.streams[0].stream;
    s.end();
    await once(s, 'finish');
  };
}

const ROUND = 128;
async function run(from, n) {
  for (let i = 0; i < n; i += ROUND) {
    for (let k = 0; k < ROUND; k++) log(from + i + k);
    await yieldToLoop();
  }
}
const measured = Math.ceil(total / ROUND) * ROUND;
await run(0, 10 * ROUND); // warm-up
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await run(10 * ROUND, measured);
await finish();
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
const lines = readJsonLines(dir);
const avgBytes = lines.length
  ? Math.round(lines.reduce((a, l) => a + JSON.stringify(l).length + 1, 0) / lines.length)
  : 0;
removeDir(dir);
report({
  opsPerSec: (measured / ms) * 1000,
  opsPerCpuSec: (measured / cpuMs) * 1000,
  lines: lines.length,
  expected: measured + 10 * ROUND,
  avgBytes,
  ok: lines.length === measured + 10 * ROUND,
});
