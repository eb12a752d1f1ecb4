import { describe, expect, it } from 'vitest';
import { endpointShape, signalUrl } from '../../src/otlp-http/config.js';
import {
  BodyCapture,
  clampRejected,
  displayText,
  judgeSuccessBody,
  responseFormat,
  RESPONSE_HEAD_BYTES,
  RESPONSE_MAX_BYTES,
  type CapturedBody,
} from '../../src/otlp-http/response.js';
import { encodeResponse } from '../../src/protobuf/codec.js';

/** A body as the client captures it, fed in socket-sized chunks. */
function captured(body: Buffer | string): CapturedBody {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  const capture = new BodyCapture();
  for (let i = 0; i < buf.length; i += 65536) {
    if (!capture.push(buf.subarray(i, i + 65536))) return capture.result(true);
  }
  return capture.result(false);
}

describe('2xx response bodies from a sync endpoint that may lie', () => {
  it('accepts an empty body and every valid ExportServiceResponse, JSON and protobuf', () => {
    expect(judgeSuccessBody('traces', captured(''), 'json')).toEqual({ kind: 'otlp' });
    expect(judgeSuccessBody('traces', captured('{}'), 'json')).toEqual({ kind: 'otlp' });
    expect(judgeSuccessBody('logs', captured('{"partialSuccess":{}}'), 'json')).toEqual({
      kind: 'otlp',
    });
    expect(
      judgeSuccessBody('traces', captured(Buffer.from(encodeResponse('traces'))), 'protobuf'),
    ).toEqual({ kind: 'otlp' });
    const proto = Buffer.from(encodeResponse('logs', { rejected: 3, errorMessage: 'bad' }));
    expect(judgeSuccessBody('logs', captured(proto), 'protobuf')).toEqual({
      kind: 'otlp',
      partial: { rejected: 3n, errorMessage: 'bad', messageTruncated: false },
    });
    const json = '{"partial_success":{"rejected_data_points":"4","error_message":"m"}}';
    expect(judgeSuccessBody('metrics', captured(json), 'json')).toMatchObject({
      kind: 'otlp',
      partial: { rejected: 4n, errorMessage: 'm' },
    });
  });

  it('reports an HTML page, the Collector health check and protobuf garbage as not OTLP', () => {
    const html = judgeSuccessBody('traces', captured('<html><body>nginx</body></html>'), 'json');
    expect(html).toMatchObject({ kind: 'not-otlp' });
    const health = judgeSuccessBody(
      'traces',
      captured('{"status":"Server available","upSince":"2026-12-01T00:00:00Z","uptime":"1h"}'),
      'json',
    );
    expect(health).toMatchObject({ kind: 'not-otlp', reason: expect.stringContaining('status') });
    for (const garbage of ['<html>', '{"status":"ok"}', '\xff\xff\xff', 'OK']) {
      expect(
        judgeSuccessBody('traces', captured(Buffer.from(garbage, 'latin1')), 'protobuf').kind,
      ).toBe('not-otlp');
    }
    expect(judgeSuccessBody('traces', captured('[]'), 'json').kind).toBe('not-otlp');
    expect(
      judgeSuccessBody('traces', captured('{"partialSuccess":{"rejectedSpans":"x"}}'), 'json').kind,
    ).toBe('not-otlp');
  });

  it('reads the counts of a partial_success with a 100 KB and a 3 MiB errorMessage', () => {
    const big = JSON.stringify({
      partialSuccess: { rejectedSpans: '2', errorMessage: 'E'.repeat(100_000) },
    });
    expect(judgeSuccessBody('traces', captured(big), 'json')).toMatchObject({
      kind: 'otlp',
      partial: { rejected: 2n, messageTruncated: true },
    });
    // Longer than the parsed head, with the count after the message: found in the tail.
    const huge = `{"partialSuccess":{"errorMessage":"${'M'.repeat(3 << 20)}","rejectedLogRecords":"5"}}`;
    const body = captured(huge);
    expect(body.head.length).toBe(RESPONSE_HEAD_BYTES);
    expect(judgeSuccessBody('logs', body, 'json')).toMatchObject({
      kind: 'otlp',
      partial: { rejected: 5n, messageTruncated: true },
    });
    // protobuf: only the first field of ExportLogsPartialSuccess is needed from the head.
    const proto = Buffer.from(
      encodeResponse('logs', { rejected: 7, errorMessage: 'P'.repeat(3 << 20) }),
    );
    expect(judgeSuccessBody('logs', captured(proto), 'protobuf')).toMatchObject({
      kind: 'otlp',
      partial: { rejected: 7n, messageTruncated: true },
    });
  });

  it('stops reading an endless body and does not call it an answer', () => {
    const capture = new BodyCapture();
    const chunk = Buffer.alloc(65536, 0x20);
    let chunks = 0;
    while (capture.push(chunk)) chunks++;
    expect(chunks * chunk.length).toBeLessThanOrEqual(RESPONSE_MAX_BYTES);
    const body = capture.result(true);
    expect(body.head.length + body.tail.length).toBeLessThanOrEqual(RESPONSE_HEAD_BYTES + 65536);
    expect(judgeSuccessBody('traces', body, 'json').kind).toBe('not-otlp');
  });

  it('clamps what the server claims to [0, records sent]', () => {
    expect(clampRejected(999_999_999n, 7)).toBe(7);
    expect(clampRejected(-5n, 3)).toBe(0);
    expect(clampRejected(2n, 3)).toBe(2);
    expect(clampRejected(-(2n ** 63n), 3)).toBe(0);
    // a negative int64 in protobuf is a 10-byte varint: decoded signed, then clamped
    const negative = Buffer.from(encodeResponse('traces', { rejected: -5, errorMessage: '' }));
    const verdict = judgeSuccessBody('traces', captured(negative), 'protobuf');
    expect(verdict).toMatchObject({ kind: 'otlp', partial: { rejected: -5n } });
  });

  it('decodes by the response Content-Type, else by what was sent', () => {
    expect(responseFormat('application/json; charset=utf-8', 'application/x-protobuf')).toBe(
      'json',
    );
    expect(responseFormat('text/html', 'application/x-protobuf')).toBe('protobuf');
    expect(responseFormat(undefined, 'application/json')).toBe('json');
  });

  it('makes server text printable: no terminal escapes, clipped with the length said', () => {
    expect(displayText('\u001b[2J\u001b]0;pwned\u0007ok')).toBe('[2J ]0;pwned ok');
    expect(displayText('x'.repeat(500), 10)).toBe('xxxxxxxxxx… (490 more characters)');
  });
});

describe('--endpoint shapes', () => {
  it('tells a base URL, a per-signal URL and another API path apart', () => {
    expect(endpointShape('http://host:4318')).toEqual({ kind: 'base' });
    expect(endpointShape('http://host:13133/')).toEqual({ kind: 'base' });
    expect(endpointShape('https://gateway.example/otlp')).toEqual({ kind: 'base' });
    expect(endpointShape('http://host:4318/v1/traces')).toEqual({
      kind: 'signal',
      signal: 'traces',
      base: 'http://host:4318',
    });
    for (const bad of [
      'http://host:4318/v1/trace',
      'http://host:16686/api/traces',
      'http://h/v1',
    ]) {
      const shape = endpointShape(bad);
      expect(shape.kind).toBe('unsupported');
      if (shape.kind === 'unsupported')
        expect(shape.explanation).toMatch(/base URL.*\/v1\/traces/s);
    }
  });

  it('keeps a query string a query string when appending /v1/<signal>', () => {
    expect(signalUrl('https://g.example/otlp?tenant=a', 'logs')).toBe(
      'https://g.example/otlp/v1/logs?tenant=a',
    );
    expect(signalUrl('http://h:4318/', 'traces')).toBe('http://h:4318/v1/traces');
  });
});
