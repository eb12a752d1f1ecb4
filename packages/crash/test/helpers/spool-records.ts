import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jsonl from '@otelspool/exporter-jsonl';

type KeyValue = { key: string; value: Record<string, unknown> };
export interface LogRecordJson {
  eventName?: string;
  severityNumber?: number;
  severityText?: string;
  traceId?: string;
  spanId?: string;
  body?: { stringValue?: string };
  attributes?: KeyValue[];
}
export interface SpanJson {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  events?: { name: string; attributes?: KeyValue[] }[];
  status?: { code?: number; message?: string };
}

type ReadSpool = (
  dir: string,
  options?: { signals?: string[]; quarantine?: boolean },
) => AsyncIterable<{ data: unknown }>;

/**
 * Every OTLP object of one signal in the spool: through the spool reader (readSpool) once
 * exporter-jsonl exports it, else by parsing the JSON lines directly (each line must parse).
 */
async function readSignal(dir: string, signal: 'logs' | 'traces'): Promise<unknown[]> {
  const readSpool = (jsonl as unknown as { readSpool?: ReadSpool }).readSpool;
  const out: unknown[] = [];
  if (typeof readSpool === 'function') {
    for await (const record of readSpool(dir, { signals: [signal], quarantine: false }))
      out.push(record.data);
    return out;
  }
  let names: string[] = [];
  try {
    names = readdirSync(join(dir, signal)).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    for (const line of readFileSync(join(dir, signal, name), 'utf8').split('\n')) {
      if (line.length > 0) out.push(JSON.parse(line));
    }
  }
  return out;
}

export async function readLogRecords(dir: string): Promise<LogRecordJson[]> {
  const out: LogRecordJson[] = [];
  for (const data of (await readSignal(dir, 'logs')) as {
    resourceLogs?: { scopeLogs?: { logRecords?: LogRecordJson[] }[] }[];
  }[]) {
    for (const rl of data.resourceLogs ?? [])
      for (const sl of rl.scopeLogs ?? []) out.push(...(sl.logRecords ?? []));
  }
  return out;
}

export async function readSpans(dir: string): Promise<SpanJson[]> {
  const out: SpanJson[] = [];
  for (const data of (await readSignal(dir, 'traces')) as {
    resourceSpans?: { scopeSpans?: { spans?: SpanJson[] }[] }[];
  }[]) {
    for (const rs of data.resourceSpans ?? [])
      for (const ss of rs.scopeSpans ?? []) out.push(...(ss.spans ?? []));
  }
  return out;
}

export function attr(attrs: KeyValue[] | undefined, key: string): unknown {
  const kv = attrs?.find((a) => a.key === key);
  if (!kv) return undefined;
  const v = kv.value;
  return v.stringValue ?? v.boolValue ?? v.intValue ?? v.doubleValue;
}
