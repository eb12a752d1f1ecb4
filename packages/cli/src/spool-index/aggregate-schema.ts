// The index's aggregate tables (TELEMETRY_GUIDE.md, "The spool index and `spool sql`"), apart
// from the raw row tables of schema.ts: what `spool report` merges instead of re-reading the
// spool. openIndexForWrite runs both DDLs; INDEX_SCHEMA_VERSION (schema.ts) covers both.

/** The aggregate tables (what `--rebuild` and a version change drop besides schema.ts's). */
export const AGGREGATE_TABLES = Object.freeze([
  'report_partials',
  'segment_totals',
  'lines',
  'rollup_partials',
] as const);

export const AGGREGATE_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS report_partials (
  signal TEXT NOT NULL,
  segment TEXT NOT NULL,
  chunk INTEGER NOT NULL,
  ordinal INTEGER NOT NULL,
  service TEXT NOT NULL,
  version TEXT NOT NULL,
  host TEXT NOT NULL,
  bucket INTEGER,
  state TEXT NOT NULL,
  PRIMARY KEY (signal, segment, chunk, ordinal)
) STRICT;
CREATE INDEX IF NOT EXISTS report_partials_bucket ON report_partials (bucket);

CREATE TABLE IF NOT EXISTS segment_totals (
  signal TEXT NOT NULL,
  segment TEXT NOT NULL,
  lines INTEGER NOT NULL DEFAULT 0,
  records INTEGER NOT NULL DEFAULT 0,
  malformed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (signal, segment)
) STRICT;

CREATE TABLE IF NOT EXISTS lines (
  signal TEXT NOT NULL,
  segment TEXT NOT NULL,
  position INTEGER NOT NULL,
  records INTEGER NOT NULL,
  earliest_ms REAL,
  PRIMARY KEY (signal, segment, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rollup_partials (
  service TEXT NOT NULL,
  version TEXT NOT NULL,
  host TEXT NOT NULL,
  bucket INTEGER,
  state TEXT NOT NULL,
  first_seen INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS rollup_partials_key
  ON rollup_partials (service, version, host, ifnull(bucket, -1));
`;

export const AGGREGATE_DROP_SQL = AGGREGATE_TABLES.map((t) => `DROP TABLE IF EXISTS ${t};`).join(
  '\n',
);
