import { readSpool } from '@otelspool/exporter-jsonl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogQueryError, parseLogql, queryLogs, unquote } from '../../src/logs/index.js';
import { writeLogsSpool } from './logs-fixture.js';

let dir: string;
let cleanup: () => void;
beforeAll(async () => ({ dir, cleanup } = await writeLogsSpool()));
afterAll(() => cleanup());

/** The bodies of the records a LogQL query selects from the fixture spool, oldest first. */
async function select(logql: string): Promise<string[]> {
  const { entries } = await queryLogs({ logql }, readSpool(dir, { signals: ['logs'] }));
  return entries.map((e) => e.body);
}

describe('LogQL subset: accepted queries', () => {
  it('the stream selector: = != =~ !~ over resource labels (dots as underscores)', async () => {
    expect(await select('{service_name="other"}')).toEqual(['other failed']);
    expect(await select('{service_name!="synth", host_name=~"box-.*"}')).toEqual(['other failed']);
    expect(await select('{host_name=~"box-1"} |= "startup"')).toEqual(['startup complete']);
    // =~ is anchored, as in Loki: "box" does not match "box-1".
    expect(await select('{host_name=~"box"}')).toEqual([]);
    expect(
      await select('{deployment_environment!~"dev|staging", service_version="1.2.3"} |= "crash"'),
    ).toEqual(['crash: out of memory']);
  });

  it('severity_text and its alias level in the selector', async () => {
    expect(await select('{service_name="synth", severity_text="ERROR"}')).toEqual([
      'xrun detected in bufffer',
      '{"level":"error","msg":"json failure","code":42}',
    ]);
    expect(await select('{level=~"error|fatal"}')).toEqual([
      'xrun detected in bufffer',
      '{"level":"error","msg":"json failure","code":42}',
      'crash: out of memory',
      'other failed',
    ]);
  });

  it('line filters |= != |~ !~ on the body, in any number', async () => {
    expect(await select('{service_name="synth"} |= "xrun"')).toEqual([
      'buffer underrun xrun',
      'xrun detected in bufffer',
      'debug xrun details',
    ]);
    expect(await select('{service_name="synth"} |= "xrun" != "debug"')).toEqual([
      'buffer underrun xrun',
      'xrun detected in bufffer',
    ]);
    expect(await select('{service_name="synth"} |~ "buf+er" !~ "^buffer"')).toEqual([
      'xrun detected in bufffer',
    ]);
    expect(await select('{service_name="synth"} |~ "(?i)CRASH"')).toEqual(['crash: out of memory']);
    expect(await select('{service_name="synth"} |= `json failure`')).toEqual([
      '{"level":"error","msg":"json failure","code":42}',
    ]);
  });

  it('| json and label filters = != =~ !~ over JSON fields and record attributes', async () => {
    expect(await select('{service_name="synth"} | json | code="42"')).toEqual([
      '{"level":"error","msg":"json failure","code":42}',
    ]);
    // A map body's fields too, and level from the body before the derived level.
    expect(await select('{service_name="synth"} | json | msg=~"struct.*"')).toEqual([
      '{"kvlistValue":{"values":[{"key":"level","value":{"stringValue":"warn"}},{"key":"msg","value":{"stringValue":"structured"}}]}}',
    ]);
    expect(await select('{service_name="synth"} | json | level="warn"')).toEqual([
      'buffer underrun xrun',
      '{"kvlistValue":{"values":[{"key":"level","value":{"stringValue":"warn"}},{"key":"msg","value":{"stringValue":"structured"}}]}}',
    ]);
    expect(await select('{service_name="synth"} | plugin_id="reverb"')).toEqual([
      'startup complete',
      'buffer underrun xrun',
    ]);
    expect(await select('{service_name="synth"} |= "xrun" | plugin_id!="reverb"')).toEqual([
      'xrun detected in bufffer',
      'debug xrun details',
    ]);
    expect(
      await select(
        '{service_name="synth"} | json | plugin_id!~"rev.*", level="error" and msg!="x"',
      ),
    ).toEqual(['xrun detected in bufffer', '{"level":"error","msg":"json failure","code":42}']);
  });

  it('the query of the issue parses into selector, line filters, json and a label filter', () => {
    const q = parseLogql(
      '{service_name="demo-plugin-host", severity_text="ERROR"} |= "xrun" != "debug" |~ "buf+er" !~ "^x" | json | level="error"',
    );
    expect(q.selector).toEqual([
      { name: 'service_name', op: '=', value: 'demo-plugin-host' },
      { name: 'severity_text', op: '=', value: 'ERROR' },
    ]);
    expect(q.pipeline).toEqual([
      { kind: 'line', filter: { op: '|=', value: 'xrun' } },
      { kind: 'line', filter: { op: '!=', value: 'debug' } },
      { kind: 'line', filter: { op: '|~', value: 'buf+er' } },
      { kind: 'line', filter: { op: '!~', value: '^x' } },
      { kind: 'json' },
      { kind: 'labels', matchers: [{ name: 'level', op: '=', value: 'error' }] },
    ]);
  });

  it('strings take Go escapes; backtick strings are raw', () => {
    expect(unquote('"a\\"b\\\\c\\n\\x41\\u00e9"')).toBe('a"b\\c\nAé');
    expect(unquote('`a\\d+`')).toBe('a\\d+');
  });
});

describe('LogQL subset: refused queries name the part outside it', () => {
  const refusals: [string, RegExp][] = [
    ['count_over_time({service_name="synth"}[5m])', /a metric query .*count_over_time/],
    ['sum by (level) (count_over_time({service_name="synth"}[5m]))', /a metric query/],
    ['{service_name="synth"} | logfmt', /`\| logfmt`/],
    ['{service_name="synth"} | line_format "{{.msg}}"', /`\| line_format`/],
    ['{service_name="synth"} | label_format a=b', /`\| label_format`/],
    ['{service_name="synth"} | json | unwrap code', /`\| unwrap`/],
    ['{service_name="synth"} | json | code > 5', /a numeric comparison/],
    ['{service_name="synth"} | json | code="1" or code="2"', /`or`/],
    ['{service_name="synth"} |= "a" or "b"', /`or`/],
    ['{service_name="synth"} |> "<_> x"', /pattern line filter/],
    ['{service_name="synth"} | json msg="msg"', /`\| json` with extraction expressions/],
    ['{service_name="synth"} | regexp "(?P<x>.*)"', /`\| regexp`/],
  ];
  it.each(refusals)('%s', (query, message) => {
    expect(() => parseLogql(query)).toThrow(LogQueryError);
    expect(() => parseLogql(query)).toThrow(message);
    expect(() => parseLogql(query)).toThrow(/outside the subset.*supported: a stream selector/);
  });

  it('malformed LogQL is a syntax error with its column', () => {
    expect(() => parseLogql('{service_name="synth"')).toThrow(/LogQL syntax error at column \d+/);
    expect(() => parseLogql('xrun')).toThrow(/syntax error at column 1/);
    expect(() => parseLogql('')).toThrow(/empty query/);
  });

  it('a selector every stream matches is refused, as Loki refuses it', async () => {
    await expect(select('{host_name=~".*"}')).rejects.toThrow(/at least one matcher/);
  });

  it('a bad regular expression is named', async () => {
    await expect(select('{service_name="synth"} |~ "("')).rejects.toThrow(
      /LogQL line filter \|~ "\(": not a valid regular expression/,
    );
    await expect(select('{service_name=~"("}')).rejects.toThrow(/not a valid regular expression/);
  });
});
