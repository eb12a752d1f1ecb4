import { SpoolWriter } from '../writer/spool-writer.js';
import type { SpoolWriterOptions } from '../writer/options.js';

/**
 * An exporter either opens its own writer on a spool directory or shares one: one writer per
 * spool directory per process is the intended setup, shared by the three exporters.
 */
export type JsonlExporterOptions = SpoolWriterOptions | { writer: SpoolWriter };

export function resolveWriter(options: JsonlExporterOptions): {
  writer: SpoolWriter;
  owned: boolean;
} {
  if ('writer' in options && options.writer instanceof SpoolWriter) {
    return { writer: options.writer, owned: false };
  }
  return { writer: new SpoolWriter(options as SpoolWriterOptions), owned: true };
}
