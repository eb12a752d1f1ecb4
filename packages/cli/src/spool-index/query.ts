import { constants, type DatabaseSync, type SQLOutputValue } from 'node:sqlite';
import { openIndexReadOnly } from './open-read-only.js';

/** A query `spool sql` refuses (not one read-only SELECT/WITH statement): a usage error. */
export class ReadOnlyQueryError extends Error {}

export interface QueryResult {
  columns: string[];
  rows: SQLOutputValue[][];
}

/**
 * What a read-only query may do: read tables, call functions, recurse (WITH RECURSIVE), and
 * SELECT. Everything else — INSERT, UPDATE, DELETE, CREATE, DROP, ATTACH, PRAGMA, transactions
 * — is denied by SQLite's authorizer while the statement is compiled.
 */
const ALLOWED_ACTIONS = new Set([
  constants.SQLITE_SELECT,
  constants.SQLITE_READ,
  constants.SQLITE_FUNCTION,
  constants.SQLITE_RECURSIVE,
]);

const SELECT_START = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*(select|with|values)\b/i;

/**
 * Runs one read-only statement on the index at `path` and returns its columns and rows. Three
 * locks, any one of which suffices: the database is opened read-only (SQLite refuses every
 * write), the authorizer denies every action but reading, and the text must be exactly one
 * statement starting with SELECT, WITH or VALUES (node:sqlite's prepare() compiles only the
 * first statement of a string, so a trailing `; DELETE …` is refused rather than ignored).
 * Integers outside ±2^53 (nanosecond times) come back exact, as BigInt.
 */
export function runReadOnlyQuery(spoolDir: string, sql: string): QueryResult {
  if (!SELECT_START.test(sql)) {
    throw new ReadOnlyQueryError(
      'spool sql runs one read-only query: it must start with SELECT or WITH',
    );
  }
  const db = openIndexReadOnly(spoolDir);
  try {
    db.exec('PRAGMA busy_timeout = 10000'); // before the authorizer, which denies PRAGMA
    // setAuthorizer arrived in Node 24.10 (and 22.x backports): on an older Node the read-only
    // open and the one-statement check still hold.
    if (typeof (db as Partial<DatabaseSync>).setAuthorizer === 'function') {
      db.setAuthorizer((action) =>
        ALLOWED_ACTIONS.has(action) ? constants.SQLITE_OK : constants.SQLITE_DENY,
      );
    }
    let statement;
    try {
      statement = db.prepare(sql);
    } catch (err) {
      const message = (err as Error).message;
      if (/not authorized/i.test(message)) {
        throw new ReadOnlyQueryError(
          `spool sql is read-only: the query tries to change or attach something (${message})`,
        );
      }
      // A damaged file is not the query's fault: exit 1 with what to do, not a usage error.
      if (isCorruptIndexError(err)) throw err;
      throw new ReadOnlyQueryError(`invalid query: ${message}`);
    }
    const tail = sql.slice(statement.sourceSQL.length);
    if (hasStatement(db, tail)) {
      throw new ReadOnlyQueryError(
        'spool sql runs one statement: remove everything after the first `;`',
      );
    }
    const columns = statement.columns().map((c) => c.name);
    if (columns.length === 0) {
      throw new ReadOnlyQueryError('spool sql runs one read-only query: it returns no columns');
    }
    statement.setReadBigInts(true);
    if (typeof statement.setReturnArrays === 'function') {
      statement.setReturnArrays(true); // keeps two columns of the same name apart
      return { columns, rows: statement.all() as unknown as SQLOutputValue[][] };
    }
    const objects = statement.all() as Record<string, SQLOutputValue>[];
    return { columns, rows: objects.map((o) => columns.map((c) => o[c] ?? null)) };
  } finally {
    db.close();
  }
}

/** True when `text` holds a statement (not just whitespace, `;` and comments). */
function hasStatement(db: DatabaseSync, text: string): boolean {
  if (text.trim() === '') return false;
  try {
    db.prepare(text);
    return true;
  } catch (err) {
    // node:sqlite: "The SQL query contains no statements." for comments and `;` only
    return !/contains no statements/i.test((err as Error).message);
  }
}

/** A value as table/CSV text: NULL as '', BigInt exact, bytes as hex. */
export function cellText(value: SQLOutputValue): string {
  if (value === null) return '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return String(value);
}

/** A value for --json: BigInt as a number when exact, else as its decimal string (as OTLP JSON writes int64). */
export function jsonValue(value: SQLOutputValue): unknown {
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}

/**
 * One CSV field (RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled).
 * Hand-written: four lines, and no CSV library is a dependency here.
 */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** SQLITE_CORRUPT / SQLITE_NOTADB: the index file is damaged (delete it or `--rebuild`). */
export function isCorruptIndexError(err: unknown): boolean {
  return /malformed|not a database|file is not a database/i.test(
    err instanceof Error ? err.message : String(err),
  );
}
