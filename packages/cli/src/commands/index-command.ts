import { parseDurationMs } from '../analysis/duration.js';
import {
  CliError,
  EXIT_USAGE,
  printJson,
  renderTable,
  colors,
  spoolDirFrom,
  terminalWidth,
  type CommonOptions,
} from '../output/index.js';
import { updateSpoolIndex, type IndexRunSummary } from '../spool-index/index-spool.js';
import { INDEX_TABLES } from '../spool-index/schema.js';

export interface IndexCommandOptions extends CommonOptions {
  rebuild?: boolean;
  /** `--rollup-retention <duration>`: how long rollups of evicted segments are kept. */
  rollupRetention?: string;
}

/** `spool index`: builds or updates `<spool>/index/spool.sqlite` and says what it added. */
export async function indexCommand(options: IndexCommandOptions): Promise<void> {
  const dir = spoolDirFrom(options, { read: true });
  let rollupRetentionMs: number | undefined;
  if (options.rollupRetention !== undefined) {
    rollupRetentionMs = parseDurationMs(options.rollupRetention);
    if (rollupRetentionMs === undefined || rollupRetentionMs <= 0) {
      throw new CliError(
        `--rollup-retention: expected a duration such as 30d or 52w, got ${JSON.stringify(options.rollupRetention)}`,
        EXIT_USAGE,
      );
    }
  }
  const summary = await updateSpoolIndex(dir, {
    rebuild: options.rebuild === true,
    ...(rollupRetentionMs !== undefined ? { rollupRetentionMs } : {}),
  });
  if (options.json) {
    printJson({ index: summary });
    return;
  }
  process.stdout.write(indexSummaryText(summary));
}

/** The human summary (also what `spool sql` prints on stderr when it updated the index). */
export function indexSummaryText(summary: IndexRunSummary, width = terminalWidth()): string {
  const c = colors();
  const head =
    `${summary.rebuilt ? 'rebuilt' : 'updated'} ${summary.path}: ` +
    `${summary.segmentsIndexed} segment(s) indexed, ${summary.segmentsListed} in the spool, ` +
    `${summary.segmentsGone} gone (rolled up)\n`;
  const table = renderTable(
    [{ header: 'table' }, { header: 'rows added', align: 'right' }],
    INDEX_TABLES.map((t) => [t, String(summary.rowsAdded[t])]),
    c,
    { width },
  );
  return head + table + '\n';
}
