import {
  CliError,
  colors,
  EXIT_USAGE,
  printJson,
  renderTable,
  spoolDirFrom,
  terminalWidth,
  type CommonOptions,
} from '../output/index.js';
import { indexDbPath } from '@otelspool/exporter-jsonl/internal';
import { indexExists, updateSpoolIndex } from '../spool-index/index-spool.js';
import {
  cellText,
  csvField,
  jsonValue,
  ReadOnlyQueryError,
  isCorruptIndexError,
  runReadOnlyQuery,
} from '../spool-index/query.js';
import { UntrustedIndexError } from '../spool-index/open-read-only.js';

export interface SqlCommandOptions extends CommonOptions {
  csv?: boolean;
  /** `--no-update` sets this false: query the index as it is. */
  update?: boolean;
}

/**
 * `spool sql "SELECT …"`: one read-only query over the spool index (schema in
 * TELEMETRY_GUIDE.md), after bringing the index up to date unless `--no-update`.
 */
export async function sqlCommand(query: string, options: SqlCommandOptions): Promise<void> {
  if (options.json && options.csv) {
    throw new CliError('--json and --csv are exclusive: pick one output format', EXIT_USAGE);
  }
  const dir = spoolDirFrom(options, { read: true });
  if (options.update !== false || !indexExists(dir)) {
    const summary = await updateSpoolIndex(dir);
    const added = Object.values(summary.rowsAdded).reduce((a, b) => a + b, 0);
    process.stderr.write(
      `spool: index updated: ${summary.segmentsIndexed} segment(s), ${added} row(s) added\n`,
    );
  }
  let result;
  try {
    result = runReadOnlyQuery(dir, query);
  } catch (err) {
    if (err instanceof ReadOnlyQueryError) throw new CliError(err.message, EXIT_USAGE);
    // SQLite's authorizer refuses some reads only when the statement runs (pragma_* table
    // functions, load_extension): the same refusal as a write, a usage error.
    if (/not authorized/i.test((err as Error).message)) {
      throw new CliError(
        `refused: ${(err as Error).message}; spool sql runs read-only SELECTs over the index tables`,
        EXIT_USAGE,
      );
    }
    if (err instanceof UntrustedIndexError) {
      throw new CliError(`the spool index is not read: ${err.message}`);
    }
    if (isCorruptIndexError(err)) {
      throw new CliError(
        `the spool index is damaged (${(err as Error).message}): run \`spool index --rebuild\` or delete ${indexDbPath(dir)}; it is rebuilt from the spool`,
      );
    }
    throw new CliError(`query failed: ${(err as Error).message}`);
  }
  const { columns, rows } = result;
  if (options.json) {
    printJson({
      columns,
      rows: rows.map((row) =>
        Object.fromEntries(columns.map((c, i) => [c, jsonValue(row[i] ?? null)])),
      ),
    });
    return;
  }
  if (options.csv) {
    const lines = [columns, ...rows.map((row) => row.map((v) => cellText(v)))].map((cells) =>
      cells.map(csvField).join(','),
    );
    process.stdout.write(lines.join('\r\n') + '\r\n');
    return;
  }
  process.stdout.write(
    renderTable(
      columns.map((header, i) => ({
        header,
        align: rows.some((r) => typeof r[i] === 'number' || typeof r[i] === 'bigint')
          ? ('right' as const)
          : ('left' as const),
        flex: rows.some((r) => typeof r[i] === 'string'),
      })),
      rows.map((row) => row.map((v) => cellText(v))),
      colors(),
      { width: terminalWidth() },
    ) + `\n${rows.length} row(s)\n`,
  );
}
