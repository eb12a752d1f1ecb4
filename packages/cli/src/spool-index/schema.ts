// The schema of the spool index (TELEMETRY_GUIDE.md, "The spool index and `spool sql`"). One
// place for the DDL so the guide's tables, the writer (index-spool.ts) and a later reader (views
// served from the index) agree. A schema change bumps INDEX_SCHEMA_VERSION: an index of another
// version is dropped and rebuilt from the spool (it is derived, nothing is lost).

/** Bumped on every change below; stored in `meta`. */
export const INDEX_SCHEMA_VERSION = 5;

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
  'logs_fts',
  'segments',
  'meta',
] as const;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS segments (
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
  PRIMARY KEY (signal, segment)
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

CREATE TABLE IF NOT EXISTS span_attributes (
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  span INTEGER NOT NULL,
  PRIMARY KEY (key, value, span)
) STRICT, WITHOUT ROWID;
-- By span: deleting an evicted segment's rows must not scan the whole table once per segment.
CREATE INDEX IF NOT EXISTS span_attributes_span ON span_attributes (span);

-- id: an explicit rowid, so VACUUM cannot renumber what span_attributes points at.
CREATE TABLE IF NOT EXISTS spans (
  id INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  name TEXT,
  kind INTEGER,
  service TEXT,
  start_ns INTEGER,
  end_ns INTEGER,
  duration_ns INTEGER,
  status_code INTEGER NOT NULL,
  status_message TEXT,
  attributes TEXT NOT NULL,
  resource_id INTEGER NOT NULL,
  scope TEXT,
  segment TEXT NOT NULL,
  line INTEGER NOT NULL,
  position INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS spans_trace ON spans (trace_id);
CREATE INDEX IF NOT EXISTS spans_name_start ON spans (name, start_ns);
CREATE INDEX IF NOT EXISTS spans_segment ON spans (segment);
-- Newest first (the dashboard's trace list walks it from the end until its page is certain).
CREATE INDEX IF NOT EXISTS spans_start ON spans (start_ns);
-- The failed spans of a resource (spool incident: errors in a crashed session). Partial, so it
-- holds only the few ERROR spans.
CREATE INDEX IF NOT EXISTS spans_errors ON spans (resource_id) WHERE status_code = 2;

CREATE TABLE IF NOT EXISTS span_events (
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  name TEXT,
  time_ns INTEGER,
  attributes TEXT NOT NULL,
  service TEXT,
  segment TEXT NOT NULL,
  line INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS span_events_name ON span_events (name, time_ns);
CREATE INDEX IF NOT EXISTS span_events_segment ON span_events (segment);

-- position (here and in spans): the byte offset just after the record's line
-- (SpoolRecord.position), so a view can read the matching lines back from the segment without
-- scanning it (read-back.ts).
CREATE TABLE IF NOT EXISTS logs (
  id INTEGER PRIMARY KEY,
  time_ns INTEGER,
  observed_ns INTEGER,
  severity_number INTEGER,
  severity_text TEXT,
  service TEXT,
  body TEXT NOT NULL,
  event_name TEXT,
  trace_id TEXT,
  span_id TEXT,
  attributes TEXT NOT NULL,
  resource_id INTEGER NOT NULL,
  segment TEXT NOT NULL,
  line INTEGER NOT NULL,
  position INTEGER NOT NULL
) STRICT;
-- Substring search over bodies (|= and --grep): trigrams, case-sensitive as the filters are;
-- external content (the logs table), so the bodies are stored once.
CREATE VIRTUAL TABLE IF NOT EXISTS logs_fts USING fts5(
  body, content = 'logs', content_rowid = 'id', tokenize = 'trigram case_sensitive 1'
);
CREATE INDEX IF NOT EXISTS logs_time ON logs (time_ns);
CREATE INDEX IF NOT EXISTS logs_trace ON logs (trace_id);
CREATE INDEX IF NOT EXISTS logs_segment ON logs (segment);
-- ERROR and FATAL records of a resource (spool incident), partial as spans_errors.
CREATE INDEX IF NOT EXISTS logs_errors ON logs (resource_id) WHERE severity_number >= 17;

CREATE TABLE IF NOT EXISTS metric_points (
  name TEXT,
  type TEXT NOT NULL,
  unit TEXT,
  service TEXT,
  time_ns INTEGER,
  start_ns INTEGER,
  value REAL,
  count INTEGER,
  sum REAL,
  attributes TEXT NOT NULL,
  resource_id INTEGER NOT NULL,
  segment TEXT NOT NULL,
  line INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS metric_points_name_time ON metric_points (name, time_ns);
CREATE INDEX IF NOT EXISTS metric_points_segment ON metric_points (segment);

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

/** Drops every table of the index (for `--rebuild` and a schema version change). */
export const DROP_SQL = ALL_TABLES.map((t) => `DROP TABLE IF EXISTS ${t};`).join('\n');
