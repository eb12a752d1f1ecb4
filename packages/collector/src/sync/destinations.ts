import type { Signal } from '@otelspool/exporter-jsonl';
import { DryRunExporter } from '../exporters/dry-run-exporter.js';
import { OtlpHttpExporter } from '../exporters/otlp-http-exporter.js';
import { resolveDestinations, type DestinationConfig } from '../otlp-http/config.js';
import type { Exporter } from '../pipeline/types.js';
import { ConsentCheckedExporter } from './sync-consent.js';
import type { SyncOptions } from './sync-summary.js';

/** The signals that go to one destination (one cursor), with each signal's endpoint. */
export interface DestinationGroup {
  name: string;
  signals: Signal[];
  configs: Partial<Record<Signal, DestinationConfig>>;
}

/**
 * The destinations of a run: each signal's endpoint (options, else the OTEL_EXPORTER_OTLP_*
 * environment), grouped by destination name, so signals sent to one place share a cursor.
 */
export function destinationGroups(options: SyncOptions, signals: Signal[]): DestinationGroup[] {
  const destinations = resolveDestinations(signals, {
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.signalEndpoints ? { signalEndpoints: options.signalEndpoints } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const groups = new Map<string, DestinationGroup>();
  for (const signal of signals) {
    const config = destinations[signal];
    const group = groups.get(config.name) ?? { name: config.name, signals: [], configs: {} };
    group.signals.push(signal);
    group.configs[signal] = config;
    groups.set(config.name, group);
  }
  return [...groups.values()];
}

/** One URL per signal of the group, in the group's signal order. */
export function groupUrls(group: DestinationGroup): string[] {
  return group.signals.map((s) => group.configs[s]?.url ?? '');
}

export interface ChosenExporter {
  exporter: Exporter;
  /** The HTTP exporter, for its retry and problem counts (absent on a dry run). */
  http?: OtlpHttpExporter;
}

/**
 * What a destination's pipeline exports to: on a dry run the run's one DryRunExporter (one
 * output file for every destination), else OTLP/HTTP behind a consent check per request.
 */
export function chooseExporter(
  options: SyncOptions,
  group: DestinationGroup,
  dryRunExporter: DryRunExporter | undefined,
): ChosenExporter {
  if (dryRunExporter) {
    dryRunExporter.addDestinations(group.configs);
    return { exporter: dryRunExporter };
  }
  const http = new OtlpHttpExporter({
    dir: options.dir,
    destinations: group.configs,
    ...(options.protocol ? { protocol: options.protocol } : {}),
    ...(options.compression ? { compression: options.compression } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    log: options.log ?? (() => undefined),
  });
  return { exporter: new ConsentCheckedExporter(http, options.dir), http };
}
