import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import {
  crashFacts,
  listCrashReportFiles,
  readCrashReportFile,
  type CrashFacts,
  type ListCrashReportsOptions,
} from '@otelspool/crash';
import { crashesDir, indexDbPath } from '@otelspool/exporter-jsonl/internal';
import { openIndexReadOnly } from './open-read-only.js';

/**
 * Bumped whenever crashFacts() derives its facts differently: stored facts of another version
 * no longer match any file's identity, so every report is read again (and re-indexed).
 */
const FACTS_VERSION = 1;

/**
 * Who a crash report file is: inode, size and mtime. A file whose identity is the one the index
 * read it with is that same report (the crash handler writes a report once, atomically); any
 * other is read again. Undefined for anything but a regular file (the reader refuses those).
 */
export function crashFileIdentity(spoolDir: string, name: string): string | undefined {
  try {
    const st = lstatSync(join(crashesDir(spoolDir), name));
    return st.isFile() ? `${FACTS_VERSION}:${st.ino}:${st.size}:${st.mtimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

/** One crash report file of the spool and the facts grouping needs of it. */
export interface CrashFile {
  file: string;
  facts: CrashFacts;
}

/**
 * The facts of every crash report now in `<spool>/crashes/`, in file-name order (as
 * listCrashReports reads them): from the index for the files it read as they are now, from the
 * file for the others (new since the last index run, rewritten, or no index at all). So the
 * result is always the reports' own, and `spool crashes` over thousands of reports reads only
 * the directory and the few new files. A report file deleted since stays in the index (its
 * history) and out of this list, as out of the scan. Invalid files go to onInvalid as in the scan.
 */
export function crashFilesOfSpool(
  spoolDir: string,
  options: ListCrashReportsOptions & { index?: boolean } = {},
): CrashFile[] {
  const indexed = options.index === false ? new Map() : indexedFacts(spoolDir);
  const out: CrashFile[] = [];
  for (const file of listCrashReportFiles(spoolDir)) {
    const known = indexed.get(file);
    if (known !== undefined && known.identity === crashFileIdentity(spoolDir, file)) {
      out.push({ file, facts: known.facts });
      continue;
    }
    const report = readCrashReportFile(spoolDir, file, options);
    if (report !== undefined) out.push({ file, facts: crashFacts(report) });
  }
  return out;
}

/** File → (identity, facts) as the index holds them; empty without a trusted index. */
function indexedFacts(spoolDir: string): Map<string, { identity: string; facts: CrashFacts }> {
  const out = new Map<string, { identity: string; facts: CrashFacts }>();
  if (!existsSync(indexDbPath(spoolDir))) return out;
  try {
    const db = openIndexReadOnly(spoolDir);
    try {
      const rows = db.prepare('SELECT file, identity, facts FROM crashes').all() as Array<{
        file: string;
        identity: string;
        facts: string;
      }>;
      for (const r of rows) {
        out.set(r.file, { identity: r.identity, facts: JSON.parse(r.facts) as CrashFacts });
      }
    } finally {
      db.close();
    }
  } catch {
    // An index of another schema, damaged or not ours: the reports themselves answer.
    out.clear();
  }
  return out;
}
