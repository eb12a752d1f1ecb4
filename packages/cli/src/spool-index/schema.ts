// The schema of the spool index (TELEMETRY_GUIDE.md, "The spool index and `spool sql`"). One
// place for the DDL so the guide's tables, the writer (index-spool.ts) and a later reader (views
// served from the index) agree. A schema change bumps INDEX_SCHEMA_VERSION: an index of another
// version is dropped and rebuilt from the spool (it is derived, nothing is lost).

/** Bumped on every change below; stored in `meta`. */
export const INDEX_SCHEMA_VERSION = 6;

/** The row tables, in the order `spool index` reports them. */
export const INDEX_TABLES = Object.freeze([
  'spans',
  'span_events',
  'logs',
  'metric_points',
  'crashes',
  'sessions',
] as const);

export type IndexTable = (typeof INDEX_TABLES)[number];

/** Every table, bookkeeping included (what `--rebuild` and a version change drop). */
const ALL_TABLES = [
  ...INDEX_TABLES,
  'resources',
  'resource_attributes',
  'span_attributes',
  'attribute_terms',
  'logs_fts',
  'segments',
  'meta',
] as const;

/** Views over the tables (dropped with them). */
const ALL_VIEWS = ['span_attribute_values'] as const;

/**
 * Rows carry their segment's slot (segments.slot) in the high bits of their id (slot × 2^32 +
 * their ordinal in the segment), so an evicted segment's rows are one range of each table's
 * primary key and need no index by segment. A slot is freed when its segment is gone (its rows
 * deleted in the same transaction) and given to a later segment, so only the segments present
 * at once count against MAX_SLOT. 2^32 rows per segment is far above what a capped segment
 * holds; ids stay below 2^53, exact as a JavaScript number.
 */
export const SEGMENT_ROW_SHIFT = 2 ** 32;
export const MAX_SLOT = 2 ** 21 - 1;

/** The first row id of the segment in `slot`, and the first of the next (exclusive end). */
export function segmentRowRange(slot: number): [number, number] {
  return [slot * SEGMENT_ROW_SHIFT, (slot + 1) * SEGMENT_ROW_SHIFT];
}

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- id: what row tables keep as segment_id. Segment rows are never deleted (a gone one is
-- marked, so one that comes back is known), so an id is never reused. slot: the high bits of
-- its rows' ids (segmentRowRange); NULL once gone, and then reused.
CREATE TABLE IF NOT EXISTS segments (
  id INTEGER PRIMARY KEY,
  slot INTEGER UNIQUE,
  signal TEXT NOT NULL,
  segment TEXT NOT NULL,
  file TEXT NOT NULL,
  identity TEXT NOT NULL,
  size INTEGER NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  -- The number of lines up to position: a later run resumes reading there (ResumePoint). NULL
  -- when unknown (the position came from a malformed entry, which may not end a line): the next
  -- run reads up to the position to count, as from a bare position.
  line INTEGER DEFAULT 0,
  records INTEGER NOT NULL DEFAULT 0,
  compressed INTEGER NOT NULL DEFAULT 0,
  complete INTEGER NOT NULL DEFAULT 0,
  gone INTEGER NOT NULL DEFAULT 0,
  rolled_up INTEGER NOT NULL DEFAULT 0,
  indexed_at TEXT NOT NULL,
  UNIQUE (signal, segment)
) STRICT;

-- One row per distinct resource (the attributes JSON is the key): a batch's resource is the same
-- for thousands of rows, so spans/logs/metric_points keep only its id.
CREATE TABLE IF NOT EXISTS resources (
  id INTEGER PRIMARY KEY,
  attributes TEXT NOT NULL UNIQUE,
  service TEXT,
  version TEXT,
  host TEXT
) STRICT;

-- Search tables (trace search by attribute value): the text of each attribute as the dashboard's
-- search compares it (attributeText), WITHOUT ROWID so the (key, value) order is the table.
CREATE TABLE IF NOT EXISTS resource_attributes (
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  resource_id INTEGER NOT NULL,
  PRIMARY KEY (key, value, resource_id)
) STRICT, WITHOUT ROWID;

-- Span attribute texts, each distinct (key, value) once; span_attributes holds their ids, so a
-- key and its value are not repeated on every span that has them.
CREATE TABLE IF NOT EXISTS attribute_terms (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (key, value)
) STRICT;

CREATE TABLE IF NOT EXISTS span_attributes (
  term INTEGER NOT NULL,
  span INTEGER NOT NULL,
  PRIMARY KEY (term, span)
) STRICT, WITHOUT ROWID;

-- For \`spool sql\`: the attribute texts of each span by key and value.
CREATE VIEW IF NOT EXISTS span_attribute_values AS
  SELECT a.span, t.key, t.value FROM span_attributes a JOIN attribute_terms t ON t.id = a.term;

-- Every row table: id is explicit (VACUUM cannot renumber what span_attributes and logs_fts point
-- at) and holds the segment in its high bits (segmentRowRange); segment_id is segments.id; the
-- service is the resource's (resources.service).
CREATE TABLE IF NOT EXISTS spans (
  id INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  name TEXT,
  kind INTEGER,
  start_ns INTEGER,
  end_ns INTEGER,
  duration_ns INTEGER GENERATED ALWAYS AS (end_ns - start_ns) VIRTUAL,
  status_code INTEGER NOT NULL,
  status_message TEXT,
  attributes TEXT NOT NULL,
  resource_id INTEGER NOT NULL,
  scope TEXT,
  segment_id INTEGER NOT NULL,
  line INTEGER NOT NULL,
  position INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS span_events (
  id INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  name TEXT,
  time_ns INTEGER,
  attributes TEXT NOT NULL,
  resource_id INTEGER NOT NULL,
  segment_id INTEGER NOT NULL,
  line INTEGER NOT NULL
) STRICT;

-- position (here and in spans): the byte offset just after the record's line
-- (SpoolRecord.position), so a view can read the matching lines back from the segment without
-- scanning it (read-back.ts).
CREATE TABLE IF NOT EXISTS logs (
  id INTEGER PRIMARY KEY,
  time_ns INTEGER,
  observed_ns INTEGER,
  severity_number INTEGER,
  severity_text TEXT,
  body TEXT NOT NULL,
  event_name TEXT,
  trace_id TEXT,
  span_id TEXT,
  attributes TEXT NOT NULL,
  resource_id INTEGER NOT NULL,
  segment_id INTEGER NOT NULL,
  line INTEGER NOT NULL,
  position INTEGER NOT NULL
) STRICT;
-- Substring search over bodies (|= and --grep): trigrams, case-sensitive as the filters are;
-- external content (the logs table), so the bodies are stored once.
CREATE VIRTUAL TABLE IF NOT EXISTS logs_fts USING fts5(
  body, content = 'logs', content_rowid = 'id', tokenize = 'trigram case_sensitive 1'
);

CREATE TABLE IF NOT EXISTS metric_points (
  id INTEGER PRIMARY KEY,
  name TEXT,
  type TEXT NOT NULL,
  unit TEXT,
  time_ns INTEGER,
  start_ns INTEGER,
  value REAL,
  count INTEGER,
  sum REAL,
  attributes TEXT NOT NULL,
  resource_id INTEGER NOT NULL,
  segment_id INTEGER NOT NULL,
  line INTEGER NOT NULL
) STRICT;

-- One row per crash report file (file: its name in crashes/, identity: inode, size and mtime
-- when read, so a rewritten file is read again). facts: what grouping needs (CrashFacts of
-- @otelspool/crash, JSON), so \`spool crashes\` groups without re-reading every report.
CREATE TABLE IF NOT EXISTS crashes (
  file TEXT PRIMARY KEY,
  identity TEXT NOT NULL,
  id TEXT NOT NULL,
  time TEXT NOT NULL,
  type TEXT NOT NULL,
  message TEXT NOT NULL,
  signature TEXT NOT NULL,
  signature_version INTEGER,
  origin TEXT NOT NULL,
  top_frame TEXT,
  service TEXT,
  version TEXT,
  host TEXT,
  session_id TEXT,
  install_id TEXT,
  trace_id TEXT,
  facts TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS crashes_id ON crashes (id);

CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  previous_id TEXT,
  install_id TEXT NOT NULL,
  state TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  exit_code INTEGER,
  signal TEXT,
  crash_report_id TEXT,
  launch_completed INTEGER,
  service TEXT NOT NULL,
  version TEXT,
  host TEXT NOT NULL,
  os_type TEXT,
  os_version TEXT
) STRICT;
`;

/**
 * The secondary indexes of the row tables. Separate from SCHEMA_SQL so a first build can insert
 * every row first and create them once at the end (sorting once costs a fraction of keeping
 * four B-trees ordered through 650k random inserts: measured 20 s → 10 s on a 256 MiB spool).
 */
export const ROW_INDEXES_SQL = `
-- By span: an evicted segment's rows are a span-id range (segmentRowRange).
CREATE INDEX IF NOT EXISTS span_attributes_span ON span_attributes (span);
CREATE INDEX IF NOT EXISTS spans_trace ON spans (trace_id);
CREATE INDEX IF NOT EXISTS spans_name_start ON spans (name, start_ns);
-- Newest first (the dashboard's trace list walks it from the end until its page is certain).
CREATE INDEX IF NOT EXISTS spans_start ON spans (start_ns);
-- The failed spans of a resource (spool incident: errors in a crashed session). Partial, so it
-- holds only the few ERROR spans.
CREATE INDEX IF NOT EXISTS spans_errors ON spans (resource_id) WHERE status_code = 2;
CREATE INDEX IF NOT EXISTS span_events_name ON span_events (name, time_ns);
CREATE INDEX IF NOT EXISTS logs_time ON logs (time_ns);
CREATE INDEX IF NOT EXISTS logs_trace ON logs (trace_id);
-- ERROR and FATAL records of a resource (spool incident), partial as spans_errors.
CREATE INDEX IF NOT EXISTS logs_errors ON logs (resource_id) WHERE severity_number >= 17;
CREATE INDEX IF NOT EXISTS metric_points_name_time ON metric_points (name, time_ns);
`;

/** Drops every table of the index (for `--rebuild` and a schema version change). */
export const DROP_SQL = [
  ...ALL_VIEWS.map((v) => `DROP VIEW IF EXISTS ${v};`),
  ...ALL_TABLES.map((t) => `DROP TABLE IF EXISTS ${t};`),
].join('\n');
