import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { attr, collect, logsOf, tempDir } from './helpers.js';

// Child processes import the built @otelspool/sdk (dist/): run `npx tsc -b` first.
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** pino → @opentelemetry/instrumentation-pino → our LoggerProvider → the spool's logs. */
describe('pino logs land in the spool with trace context', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  function run(args: string[], env: NodeJS.ProcessEnv = {}) {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const result = spawnSync(process.execPath, [...args, tmp.dir], {
      encoding: 'utf8',
      env: { ...process.env, SPOOL_DIR: tmp.dir, ...env },
      timeout: 30_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const spanContext = JSON.parse(result.stderr.trim().split('\n').at(-1)!) as {
      traceId: string;
      spanId: string;
    };
    const stdoutLine = JSON.parse(result.stdout.trim().split('\n')[0]!) as Record<string, unknown>;
    return { dir: tmp.dir, spanContext, stdoutLine };
  }

  it('CJS: require("pino") after startTelemetry({ instrumentations: [new PinoInstrumentation()] })', async () => {
    const { dir, spanContext, stdoutLine } = run([fixture('pino-cjs.mjs')]);
    // pino's own output is correlated too
    expect(stdoutLine.trace_id).toBe(spanContext.traceId);
    const logs = logsOf(await collect(dir)).map((l) => l.log);
    const record = logs.find((l) => l.body?.stringValue === 'saved the preset');
    expect(record).toMatchObject({
      severityNumber: 9,
      traceId: spanContext.traceId,
      spanId: spanContext.spanId,
    });
    expect(attr(record?.attributes, 'user.action')).toBe('save');
  });

  it('ESM: node --import a file that registers @opentelemetry/instrumentation/hook.mjs and starts telemetry', async () => {
    const { dir, spanContext } = run([
      '--import',
      fixture('pino-esm-register.mjs'),
      fixture('pino-esm-app.mjs'),
    ]);
    const logs = logsOf(await collect(dir)).map((l) => l.log);
    expect(logs.find((l) => l.body?.stringValue === 'saved the preset (esm)')).toMatchObject({
      severityNumber: 13,
      traceId: spanContext.traceId,
      spanId: spanContext.spanId,
    });
  });

  it('ESM without the hook: pino is not patched and nothing reaches the spool (why the hook is needed)', async () => {
    const { dir } = run(
      ['--import', fixture('pino-esm-register.mjs'), fixture('pino-esm-app.mjs')],
      { OTELSPOOL_TEST_NO_HOOK: '1' },
    );
    const logs = logsOf(await collect(dir)).map((l) => l.log);
    expect(logs.find((l) => l.body?.stringValue === 'saved the preset (esm)')).toBeUndefined();
  });

  it('start-up without instrumentations loads neither @opentelemetry/instrumentation, a propagator package nor node:zlib', () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const result = spawnSync(process.execPath, [fixture('lean-start.mjs'), tmp.dir], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('done');
  });
});
