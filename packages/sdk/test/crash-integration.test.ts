import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { attr, collect, logsOf, spansOf, tempDir } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/crash-in-span.mjs', import.meta.url));

describe('startTelemetry({ crash: true }) on an uncaught exception inside an open span', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('keeps Node exit code 1 and writes the open span once, its exception event, the FATAL record and a report', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const result = spawnSync(process.execPath, [fixture, tmp.dir], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain("Cannot read properties of undefined (reading 'coefficients')");
    const spanId = result.stdout.trim();

    const data = await collect(tmp.dir);
    const copies = spansOf(data).filter((s) => s.span.spanId === spanId);
    expect(copies).toHaveLength(1);
    const span = copies[0]!.span;
    expect(span.name).toBe('plugin.automation');
    expect(span.status?.code).toBe(2);
    expect(attr(span.attributes, 'otelspool.span.unfinished')).toBe(true);
    const event = span.events?.find((e) => e.name === 'exception');
    expect(attr(event?.attributes, 'exception.type')).toBe('TypeError');

    const fatal = logsOf(data).filter((l) => l.log.severityNumber === 21);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.log.spanId).toBe(spanId);
    expect(fatal[0]!.log.traceId).toBe(span.traceId);
    expect(attr(fatal[0]!.log.attributes, 'exception.message')).toContain('coefficients');
    expect(attr(fatal[0]!.log.attributes, 'exception.escaped')).toBeUndefined();

    expect(
      readdirSync(join(tmp.dir, 'crashes')).filter((f) => f.startsWith('crash_report_')),
    ).toHaveLength(1);
  });
});
