import { attributeText, type Resource } from '@otelspool/exporter-jsonl';

/** The `--since` / `--service` filter every view applies, item by item. */
export interface RecordFilter {
  sinceUnixMs?: number;
  service?: string;
}

export function serviceName(resource: Resource | undefined): string {
  return attributeText(resource?.attributes, 'service.name') ?? 'unknown_service';
}

export function serviceMatches(filter: RecordFilter, resource: Resource | undefined): boolean {
  return filter.service === undefined || serviceName(resource) === filter.service;
}

/** Items without a usable timestamp pass: leaving them out would hide data, not old data. */
export function timeMatches(filter: RecordFilter, tUnixMs: number): boolean {
  return (
    filter.sinceUnixMs === undefined || !Number.isFinite(tUnixMs) || tUnixMs >= filter.sinceUnixMs
  );
}
