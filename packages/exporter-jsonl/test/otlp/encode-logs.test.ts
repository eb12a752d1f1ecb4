import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { encodeLogs } from '../../src/index.js';
import { makeLogRecords } from './sdk-fixtures.js';
import { canonical } from './stock-normalise.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('encodeLogs', () => {
  it('returns "" for no records', () => {
    expect(encodeLogs([])).toBe('');
  });

  it('encodes bodies as AnyValue, severity, event name and trace context', async () => {
    const data = JSON.parse(encodeLogs(await makeLogRecords())) as Json;
    const scope = data.resourceLogs[0].scopeLogs[0];
    expect(scope.scope).toEqual({ name: 'log-scope', version: '3.0.0' });
    const [info, fatal, bytes, empty] = scope.logRecords;
    expect(info).toMatchObject({
      severityNumber: 9,
      severityText: 'INFO',
      body: { stringValue: 'hello' },
    });
    expect(info.attributes).toEqual([{ key: 'a', value: { intValue: '1' } }]);
    expect(info.timeUnixNano).toMatch(/^\d{19}$/);
    expect(info.observedTimeUnixNano).toMatch(/^\d{19}$/);
    expect(info.traceId).toBeUndefined();
    expect(fatal).toMatchObject({
      severityNumber: 21,
      eventName: 'app.crash',
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      flags: 1,
    });
    expect(fatal.body).toEqual({
      kvlistValue: {
        values: [
          {
            key: 'nested',
            value: {
              kvlistValue: {
                values: [
                  {
                    key: 'list',
                    value: {
                      arrayValue: {
                        values: [
                          { intValue: '1' },
                          { stringValue: 'two' },
                          { boolValue: true },
                          {},
                        ],
                      },
                    },
                  },
                  {
                    key: 'bytes',
                    value: { bytesValue: Buffer.from([1, 2, 255]).toString('base64') },
                  },
                ],
              },
            },
          },
          { key: 'n', value: { doubleValue: 1.5 } },
        ],
      },
    });
    expect(bytes.body).toEqual({ bytesValue: 'AAEC' });
    expect(empty.body).toBeUndefined();
  });

  it('is semantically equal to the official JsonLogsSerializer output', async () => {
    const records = await makeLogRecords();
    const stock = JSON.parse(
      new TextDecoder().decode(JsonLogsSerializer.serializeRequest(records)),
    );
    expect(canonical(JSON.parse(encodeLogs(records)))).toEqual(canonical(stock));
  });
});
