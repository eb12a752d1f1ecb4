import { lstatSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { listSegments, type Signal } from '@otelspool/exporter-jsonl';
import { indexExists, updateSpoolIndex } from './index-spool.js';
import { openIndexReadOnly } from './open-read-only.js';
import { INDEX_SCHEMA_VERSION } from './schema.js';

/** A search waits this long for another index run, then scans (same result, only slower). */
const SEARCH_LOCK_WAIT_MS = 1000;

interface SegmentState {
  segment: string;
  identity: string;
  position: number;
  compressed: number;
  complete: number;
}

/**
 * The index of a spool opened read-only for a search of `signals`, brought up to date first (so
 * lines written since the last `spool index` are found), or undefined when the spool has no index
 * or it cannot be updated (a read-only spool, a lock held too long, a damaged file): the caller
 * then scans the spool, which gives the same result, only slower. A spool without an index is not
 * given one: indexing is the user's choice (`spool index`).
 */
export async function openIndexForSearch(
  dir: string,
  signals: Signal | readonly Signal[],
): Promise<DatabaseSync | undefined> {
  if (!indexExists(dir)) return undefined;
  try {
    let db = openReadOnly(dir);
    let current = true;
    for (const signal of typeof signals === 'string' ? [signals] : signals) {
      current &&= await isCurrent(db, dir, signal);
    }
    if (!current) {
      db.close();
      await updateSpoolIndex(dir, { lockWaitMs: SEARCH_LOCK_WAIT_MS, updateOnly: true });
      db = openReadOnly(dir);
    }
    return db;
  } catch {
    return undefined;
  }
}

function openReadOnly(dir: string): DatabaseSync {
  const db = openIndexReadOnly(dir);
  db.exec('PRAGMA busy_timeout = 10000');
  return db;
}

/**
 * True when an update would add nothing for `signal`: the schema is this version, and every
 * segment file listed now is the file the index read (same dev:ino) read to its last byte (a
 * `.gz` read to its end), and every segment the index counts as present is still listed. The
 * update itself re-reads every segment looking for new lines; this check only lists and stats.
 */
async function isCurrent(db: DatabaseSync, dir: string, signal: Signal): Promise<boolean> {
  const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
    { value: string } | undefined;
  if (version?.value !== String(INDEX_SCHEMA_VERSION)) return false;
  const known = new Map<string, SegmentState>();
  for (const row of db
    .prepare(
      `SELECT segment, identity, position, compressed, complete FROM segments
       WHERE signal = ? AND gone = 0`,
    )
    .all(signal) as unknown as SegmentState[]) {
    known.set(row.segment, row);
  }
  const listed = await listSegments(dir, [signal]);
  if (listed.length !== known.size) return false;
  for (const info of listed) {
    const row = known.get(info.segment);
    if (row === undefined) return false;
    if (info.compressed) {
      if (!row.compressed || !row.complete) return false;
      continue;
    }
    if (row.compressed || Number(row.position) !== info.size) return false;
    try {
      const st = lstatSync(info.file);
      if (`${st.dev}:${st.ino}` !== row.identity || st.size !== info.size) return false;
    } catch {
      return false;
    }
  }
  return true;
}
