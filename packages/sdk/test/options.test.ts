import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/index.js';

describe('resolveOptions', () => {
  it('takes the service name from OTEL_SERVICE_NAME when none is given', () => {
    const o = resolveOptions({}, { OTEL_SERVICE_NAME: 'from-env', SPOOL_DIR: '/tmp/x' });
    expect(o.serviceName).toBe('from-env');
    expect(o.dir).toBe('/tmp/x');
  });

  it('prefers explicit options over the environment', () => {
    const o = resolveOptions(
      { serviceName: 'explicit', dir: '/tmp/y', durability: 'batch', metricIntervalMs: 5 },
      {
        OTEL_SERVICE_NAME: 'env',
        SPOOL_DIR: '/tmp/x',
        SPOOL_DURABILITY: 'none',
        OTEL_METRIC_EXPORT_INTERVAL: '9',
      },
    );
    expect(o).toMatchObject({
      serviceName: 'explicit',
      dir: '/tmp/y',
      durability: 'batch',
      metricIntervalMs: 5,
    });
  });

  it('reads OTEL_SDK_DISABLED, OTEL_METRIC_EXPORT_INTERVAL, OTEL_BSP_* and SPOOL_DURABILITY', () => {
    const o = resolveOptions(
      {},
      {
        OTEL_SDK_DISABLED: 'TRUE',
        OTEL_METRIC_EXPORT_INTERVAL: '2500',
        OTEL_BSP_MAX_QUEUE_SIZE: '100',
        OTEL_BSP_SCHEDULE_DELAY: '50',
        SPOOL_DURABILITY: 'batch',
      },
    );
    expect(o).toMatchObject({
      disabled: true,
      metricIntervalMs: 2500,
      maxQueueSize: 100,
      scheduledDelayMs: 50,
      durability: 'batch',
    });
  });

  it('ignores malformed numbers and unknown durability values', () => {
    const o = resolveOptions(
      {},
      { OTEL_METRIC_EXPORT_INTERVAL: 'soon', SPOOL_DURABILITY: 'always' },
    );
    expect(o.metricIntervalMs).toBe(60_000);
    expect(o.durability).toBe('interval');
  });

  it('falls back to the user data dir named after the service', () => {
    const o = resolveOptions(
      { serviceName: 'My Plugin/../x' },
      { XDG_DATA_HOME: '/data', HOME: '/home/u' },
    );
    expect(o.dir.startsWith('/')).toBe(true);
    // The service name becomes exactly one path component under .../otelspool/.
    expect(dirname(o.dir).endsWith('/otelspool')).toBe(true);
    expect(o.dir.split('/').pop()).toBe('My_Plugin_.._x');
  });

  it('OTEL_<SIGNAL>_EXPORTER=none turns that signal off; other values are noted and ignored', () => {
    const o = resolveOptions(
      {},
      { OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: '' },
    );
    expect(o.signals).toEqual({ traces: false, metrics: true, logs: true });
    expect(o.notes).toEqual([expect.stringMatching(/^OTEL_METRICS_EXPORTER=otlp is ignored/)]);
    expect(resolveOptions({}, {}).signals).toEqual({ traces: true, metrics: true, logs: true });
  });

  it('log-record limits: option, then OTEL_LOGRECORD_*, then OTEL_ATTRIBUTE_*; bad numbers ignored', () => {
    expect(
      resolveOptions(
        { logRecordLimits: { attributeCountLimit: 7 } },
        {
          OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: '3',
          OTEL_ATTRIBUTE_COUNT_LIMIT: '2',
          OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '9',
        },
      ).logRecordLimits,
    ).toEqual({ attributeCountLimit: 7, attributeValueLengthLimit: 9 });
    expect(
      resolveOptions({}, { OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT: 'x' }).logRecordLimits,
    ).toEqual({ attributeCountLimit: undefined, attributeValueLengthLimit: undefined });
  });
});
