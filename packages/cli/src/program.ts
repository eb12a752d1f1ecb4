import { CommanderError, type Command } from 'commander';
import { setNoColorFlag } from './output/color.js';
import { VERSION } from './version.js';
import { CliError } from './output/errors.js';
import { EXIT_FAILURE, EXIT_USAGE, exitCodesHelp } from './output/exit-codes.js';
import {
  collectOption,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_MAX_REQUEST_BYTES,
  DIR_HELP,
  examples,
  EXPORT_FORMATS,
  SIGNAL_NAMES,
  TOKEN_ENV,
  YES_HELP,
} from './output/help.js';
import type { CommonOptions } from './output/context.js';
import { SpoolCommand } from './spool-command.js';
import type { CheckCommandOptions } from './commands/check.js';
import type { GrantOptions, RevokeOptions } from './commands/consent.js';
import type { DashboardOptions } from './commands/dashboard.js';
import type { DemoOptions } from './commands/demo.js';
import type { ExportCommandOptions } from './commands/export.js';
import type { ImportOptions } from './commands/import.js';
import type { IndexCommandOptions } from './commands/index-command.js';
import type { CrashesCommandOptions } from './commands/crashes.js';
import type { IncidentCommandOptions } from './commands/incident.js';
import type { LogsCommandOptions } from './commands/logs.js';
import type { ReportCommandOptions } from './commands/report.js';
import type { ServeOptions } from './commands/serve.js';
import type { SloCommandOptions } from './commands/slo.js';
import type { SqlCommandOptions } from './commands/sql.js';
import type { SyncCliOptions } from './commands/sync.js';
import type { TailCommandOptions } from './commands/tail.js';

// The demo's service name, kept here rather than imported so `--help` stays cheap
// (src/demo/service.ts DEMO_SERVICE; the cli-habits test checks they agree).
const DEMO_SERVICE = 'demo-plugin-host';

/**
 * Builds the `spool` program. Separate from bin/ so tests can run commands in-process.
 *
 * Every command is declared here (name, description, options, examples) and its action loads
 * `commands/<name>.js` only when it runs: `spool --version` and `spool --help` load commander
 * and this file, not the spool reader, the collector or the web dashboard.
 */
export function createProgram(): Command {
  const program = new SpoolCommand('spool')
    .description('Offline-first OpenTelemetry: read, check and ship the local telemetry spool')
    .version(VERSION)
    .option('--no-color', 'no colour or other escape codes (also: NO_COLOR=1, FORCE_COLOR=0)')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText(
      'after',
      examples([
        ['spool demo', 'write sample telemetry into a spool'],
        ['spool report', 'the dashboard of the only spool'],
        ['spool crashes --service my-app', 'crash groups of my-app'],
        ['spool <command> --help', 'options and examples of one command'],
      ]) + exitCodesHelp(),
    );
  program.exitOverride();
  program.hook('preAction', () => {
    setNoColorFlag(program.opts<{ color?: boolean }>().color === false);
  });

  program
    .command('demo')
    .description('run the sample plugin host, which writes realistic telemetry into the spool')
    .option('--dir <dir>', DIR_HELP.replace('the only spool', 'the demo spool'))
    .option('--service <name>', `service name for the spool dir (default: ${DEMO_SERVICE})`)
    .option('--duration <seconds>', 'how long the host processes audio blocks', '5')
    .option('--crash', 'make a plugin crash the host with an uncaught exception')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      examples([
        ['spool demo', `5 s of telemetry into the ${DEMO_SERVICE} spool`],
        ['spool demo --crash && spool crashes', 'a crash, then the crash groups'],
      ]),
    )
    .action(async (opts: DemoOptions) => (await import('./commands/demo.js')).demoCommand(opts));

  program
    .command('report')
    .description(
      'Dashboard of the spool: sessions, crash-free rate, crashes per host/version, top spans and events, CPU and memory, telemetry health',
    )
    .spoolOptions({ serviceFilter: true, allowEmpty: true })
    .sinceOption('only data newer than a duration (30m, 24h, 7d) or an ISO date')
    .option('--json', 'print the report as JSON (shape documented in TELEMETRY_GUIDE.md)')
    .option('--no-index', 'scan the spool even when it has an index (<spool>/index/)')
    .addHelpText(
      'after',
      examples([
        ['spool report --service my-app --since 24h', 'the last day of my-app'],
        ['spool report --dir ./spool-data --json | jq .spans.overall', 'machine-readable'],
      ]),
    )
    .action(async (options: ReportCommandOptions) =>
      (await import('./commands/report.js')).reportCommand(options),
    );

  program
    .command('slo')
    .description(
      'SLIs, SLO status, error budget and multiwindow burn-rate alerts from the spans of the spool',
    )
    .requiredOption(
      '--availability <percent>',
      'availability objective: share of spans without error status, e.g. 99.9',
    )
    .option('--latency-p95 <duration>', 'latency objective: 95 % of spans within this, e.g. 500ms')
    .option('--window <duration>', 'SLO period, ending at the newest span', '30d')
    .option('--span <name>', 'only spans with this name (default: every span)')
    .option(
      '--prometheus-rules <file>',
      'also write matching Prometheus recording + alert rules (YAML)',
    )
    .spoolOptions({ serviceFilter: true, allowEmpty: true })
    .option('--json', 'print the result as JSON')
    .option('--no-index', 'scan the spool even when it has an index (<spool>/index/)')
    .addHelpText(
      'after',
      examples([
        ['spool slo --availability 99.9 --latency-p95 250ms --window 7d'],
        ['spool slo --availability 99.5 --span load_plugin --prometheus-rules slo.rules.yml'],
      ]),
    )
    .action(async (options: SloCommandOptions) =>
      (await import('./commands/slo.js')).sloCommand(options),
    );

  program
    .command('check')
    .description('QA/CI gate: exit 1 when the spool breaks a crash, error-rate or latency budget')
    .option('--max-crashes <n>', 'most crash reports allowed')
    .option('--max-error-rate <rate>', 'highest share of spans with error status: 0.01 or 1%')
    .option('--max-p95 <duration>', 'highest p95 span latency, e.g. 250ms')
    .sinceOption()
    .option('--junit <file>', 'also write a JUnit XML report (one testcase per budget)')
    .spoolOptions({ serviceFilter: true, allowEmpty: true })
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples([
        ['spool check --max-crashes 0 --max-error-rate 1% --max-p95 250ms', 'a CI gate'],
        ['spool check --dir ./spool-data --max-crashes 0 --junit check.xml', 'with a JUnit report'],
      ]),
    )
    .action(async (options: CheckCommandOptions) =>
      (await import('./commands/check.js')).checkCommand(options),
    );

  program
    .command('incident')
    .description(
      'Markdown incident report for one crash group: severity, timeline, impact, stack, related telemetry',
    )
    .argument(
      '<id>',
      'crash group signature (or a report id, or a unique prefix of ≥ 4 characters)',
    )
    .option('--out <file>', 'write the Markdown to this file instead of stdout')
    .spoolOptions()
    .option('--json', 'print the incident data as JSON instead of Markdown')
    .option('--no-index', 'scan the spool even when it has an index (<spool>/index/)')
    .addHelpText(
      'after',
      examples([
        ['spool crashes', 'find the signature'],
        ['spool incident 3f9a --out incident.md', 'the report for group 3f9a…'],
      ]),
    )
    .action(async (id: string, options: IncidentCommandOptions) =>
      (await import('./commands/incident.js')).incidentCommand(id, options),
    );

  program
    .command('export')
    .description(
      'Export for other tools: chrome-trace (Perfetto, chrome://tracing) or otlp-json (one OTLP request per signal: F-traces.json, F-metrics.json, F-logs.json)',
    )
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .requiredOption(
      '--out <file>',
      'output file (otlp-json: the base name of the three files); - writes to stdout (otlp-json: one OTLP request per line)',
    )
    .sinceOption()
    .spoolOptions({ serviceFilter: true, allowEmpty: true })
    .addHelpText(
      'after',
      examples([
        ['spool export --format chrome-trace --out trace.json', 'open in ui.perfetto.dev'],
        ['spool export --format otlp-json --out - | gzip > spool.jsonl.gz', 'to stdout'],
      ]),
    )
    .action(async (options: ExportCommandOptions) =>
      (await import('./commands/export.js')).exportCommand(options),
    );

  program
    .command('tail')
    .description(
      'Print spool records as they arrive: one line per span, log record or metric data point (--json: each spool line as its OTLP-JSON request)',
    )
    .option('--signal <signal>', `only one signal: ${SIGNAL_NAMES.join(', ')}`)
    .option('-f, --follow', 'keep printing new records as processes write them (Ctrl-C to stop)')
    .spoolOptions({ allowEmpty: true })
    .option(
      '--json',
      'print each spool line as its normalised OTLP-JSON request (its records together, lossless), with "schemaVersion": 1',
    )
    .addHelpText(
      'after',
      examples([
        ['spool tail --signal logs --follow', 'new log records as they are written'],
        ['spool tail --signal traces --json | jq -c ".resourceSpans[].scopeSpans[].spans[].name"'],
      ]),
    )
    .action(async (options: TailCommandOptions) =>
      (await import('./commands/tail.js')).tailCommand(options),
    );

  program
    .command('logs')
    .description(
      'Search log records: filters, or a query in the LogQL subset; the newest --limit, oldest first (--follow: then new ones as they land)',
    )
    .argument(
      '[query]',
      'LogQL subset: {service_name="my-app", severity_text="ERROR"} |= "text" != "x" |~ "re" !~ "re" | json | key="v" (TELEMETRY_GUIDE.md, "spool logs")',
    )
    .sinceOption()
    .option('--until <when>', 'only records older than a duration (30m, 24h) or an ISO date')
    .option(
      '--severity <level>',
      'that level and above: trace, debug, info, warn, error, fatal, or a SeverityNumber 1-24',
    )
    .option('--grep <text>', 'body contains the text (repeatable: all of them)', collectOption, [])
    .option('--regex <re>', 'body matches the regular expression (repeatable)', collectOption, [])
    .option(
      '--attr <key=value>',
      'record attribute, else resource attribute: key=value, key!=value, key=~regex, key!~regex (repeatable)',
      collectOption,
      [],
    )
    .option('--trace <id>', 'only records of this trace (32 hex digits)')
    .option(
      '--session <id>',
      'only records of this session (session.id of the record or its resource)',
    )
    .option('--limit <n>', 'the newest N matching records (0: none, e.g. with --follow)', '100')
    .option(
      '-f, --follow',
      'then keep printing new matching records as they are written (Ctrl-C to stop)',
    )
    .spoolOptions({ serviceFilter: true, allowEmpty: true })
    .option('--json', 'one JSON object per record (with "schemaVersion": 1 and the OTLP logRecord)')
    .addHelpText(
      'after',
      examples([
        ['spool logs --severity warn --since 1h', 'warnings and errors of the last hour'],
        ['spool logs --grep xrun --attr plugin.id=reverb --limit 20'],
        [
          'spool logs \'{service_name="my-app"} |= "timeout" | json | level="error"\'',
          'LogQL subset',
        ],
        ['spool logs --severity error --follow', 'errors as they happen'],
      ]),
    )
    .action(async (query: string | undefined, options: LogsCommandOptions) =>
      (await import('./commands/logs.js')).logsCommand(query, options),
    );

  const crashes = program
    .command('crashes')
    .description(
      'crashes grouped by signature; `show ID` for one crash with its stack and breadcrumbs',
    )
    .spoolOptions({ allowEmpty: true })
    .option('--json', 'machine-readable output')
    .option(
      '--no-index',
      'read every crash report even when the spool has an index (<spool>/index/)',
    )
    .addHelpText(
      'after',
      examples([
        ['spool crashes --service my-app', 'crash groups, newest last'],
        ['spool crashes show 3f9a', 'one crash: stack, breadcrumbs, session'],
      ]),
    )
    .action(async (options: CrashesCommandOptions) =>
      (await import('./commands/crashes.js')).crashesCommand(options),
    );
  crashes
    .command('show <id>')
    .description(
      'one crash in full: stack, cause chain, breadcrumbs, session (ID = group id, report id or a unique prefix)',
    )
    .spoolOptions({ allowEmpty: true })
    .option('--json', 'print the whole crash report as JSON')
    .addHelpText(
      'after',
      examples([
        ['spool crashes show 3f9a', 'the newest crash of group 3f9a…'],
        ['spool crashes show 3f9a --json | jq .breadcrumbs', 'breadcrumbs with their data'],
      ]),
    )
    .action(async (id: string, options: CrashesCommandOptions) =>
      (await import('./commands/crashes.js')).crashShowCommand(
        id,
        options,
        crashes.opts<CrashesCommandOptions>(),
      ),
    );

  const consent = program
    .command('consent')
    .description('show or change the upload consent (nothing leaves the machine without grant)')
    .addHelpText(
      'after',
      examples([
        ['spool consent status', 'the state and what a sync would send'],
        ['spool consent grant --service my-app'],
        ['spool consent revoke --purge --yes', 'forbid uploads and delete the local data'],
      ]),
    );
  consent
    .command('grant')
    .description('allow `spool sync` to upload (after redaction)')
    .spoolOptions()
    .option('--crashes-only', 'upload only crash records (FATAL logs, crash events)')
    .option('--json', 'print the new state as JSON')
    .addHelpText(
      'after',
      examples([
        ['spool consent grant --service my-app'],
        ['spool consent grant --crashes-only', 'only crash records may be uploaded'],
      ]),
    )
    .action(async (options: GrantOptions) =>
      (await import('./commands/consent.js')).consentGrantCommand(options),
    );
  consent
    .command('revoke')
    .alias('deny')
    .description('forbid uploads; --purge also deletes the recorded telemetry (asks first)')
    .spoolOptions()
    .option(
      '--purge',
      'delete the local telemetry too (traces, metrics, logs, crashes, sync state)',
    )
    .option('-y, --yes', YES_HELP)
    .option('--json', 'print the new state as JSON')
    .addHelpText(
      'after',
      examples([
        ['spool consent revoke', 'stop uploads, keep the local data'],
        ['spool consent revoke --purge --yes', 'also delete it, without asking'],
      ]),
    )
    .action(async (options: RevokeOptions) =>
      (await import('./commands/consent.js')).consentRevokeCommand(options),
    );
  consent
    .command('status')
    .description('show the consent state and what a sync would upload')
    .spoolOptions()
    .option('--json', 'machine-readable output')
    .addHelpText('after', examples([['spool consent status --service my-app --json']]))
    .action(async (options: CommonOptions) =>
      (await import('./commands/consent.js')).consentStatusCommand(options),
    );

  program
    .command('sync')
    .description('upload the spool over OTLP/HTTP after consent and redaction; resumable')
    .spoolOptions()
    .option(
      '--endpoint <url>',
      'OTLP/HTTP base URL, /v1/<signal> is appended (default: $OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318); a URL ending in /v1/traces|metrics|logs sends that signal only, as is',
    )
    .option('--protocol <protocol>', 'http/json or http/protobuf', 'http/json')
    .option(
      '--header <key=value>',
      'extra request header (repeatable); also $OTEL_EXPORTER_OTLP_HEADERS',
      collectOption,
      [],
    )
    .option(
      '--name <name>',
      'destination name for the cursor file (default: derived from the endpoint)',
    )
    .option('--signals <list>', 'comma-separated subset of traces,metrics,logs')
    .option('--dry-run', 'send nothing; write the exact requests to --out')
    .option('--out <file>', 'dry-run output file (JSON lines, one request per line)')
    .option(
      '--delete-synced',
      'delete sealed segments every destination has acknowledged (asks first)',
    )
    .option('-y, --yes', YES_HELP + ' (with --delete-synced)')
    .option(
      '--max-request-bytes <n>',
      'size cap per request (uncompressed)',
      String(DEFAULT_MAX_REQUEST_BYTES),
    )
    .option('--max-retries <n>', 'retries per run, all requests together (default 20)')
    .option('--timeout <ms>', 'per-request timeout in ms (default 10000)')
    .option('--dead-letters', 'list the batches the server rejected for good, then exit')
    .option('--resend-dead-letters', 'send the dead letters again, then exit')
    .option('--json', 'machine-readable summary on stdout')
    .addHelpText(
      'after',
      examples([
        ['spool consent grant && spool sync', 'to http://localhost:4318 (docker compose up)'],
        ['spool sync --endpoint https://otlp.example.com --header "x-api-key=$KEY"'],
        ['spool sync --dry-run --out requests.jsonl', 'what would be sent, sent nowhere'],
      ]),
    )
    .action(async (options: SyncCliOptions) =>
      (await import('./commands/sync.js')).syncCommand(options),
    );

  program
    .command('serve')
    .description('receive OTLP/HTTP from other processes into the spool (+ the web dashboard)')
    .spoolOptions()
    .option('--host <host>', 'address to listen on (loopback by default)', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '4318')
    .option(
      '--token <token>',
      `require this token on every endpoint, dashboard included ("Authorization: Bearer <token>"; ` +
        `the dashboard takes it once from the printed URL). Default: $${TOKEN_ENV}, which other ` +
        'local users cannot read from the process list',
    )
    .option(
      '--allow-host <name>',
      'also answer requests for this Host name (name or name:port; repeatable), e.g. behind a proxy',
      collectOption,
      [],
    )
    .option(
      '--insecure-no-token',
      'allow a non-loopback --host without a token (anyone who can reach it reads and writes the spool)',
    )
    .option(
      '--max-body-bytes <n>',
      'largest request body after decompression',
      String(20 * 1024 * 1024),
    )
    .option('--no-dashboard', 'answer 404 instead of serving the dashboard on other paths')
    .option('--json', 'print {"url": ...} as JSON when listening')
    .addHelpText(
      'after',
      examples([
        ['spool serve --service my-app', 'OTLP/HTTP on 127.0.0.1:4318 into my-app'],
        [`${TOKEN_ENV}=s3cret spool serve --host 0.0.0.0`, 'reachable from the LAN, with a token'],
      ]),
    )
    .action(async (options: ServeOptions) =>
      (await import('./commands/serve.js')).serveCommand(options),
    );

  program
    .command('dashboard')
    .description('serve the web dashboard for the spool and print its URL')
    .spoolOptions()
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '0')
    .option('--open', 'open the dashboard in the default browser')
    .option(
      '--token <token>',
      `require this token on every request (the browser takes it once from the printed URL). ` +
        `Default: $${TOKEN_ENV}, which other local users cannot read from the process list`,
    )
    .option(
      '--allow-host <name>',
      'also answer requests for this Host name (name or name:port; repeatable)',
      collectOption,
      [],
    )
    .option('--insecure-no-token', 'allow a non-loopback --host without a token')
    .option('--json', 'print {"url", "dir"} as JSON once listening')
    .addHelpText(
      'after',
      examples([
        ['spool dashboard --open', 'in the default browser'],
        ['spool dashboard --service my-app --port 8080'],
      ]),
    )
    .action(async (options: DashboardOptions) =>
      (await import('./commands/dashboard.js')).dashboardCommand(options),
    );

  program
    .command('import')
    .description(
      'import OpenTelemetry Collector file exporter output (JSON lines or format: proto, mixed signals, plain or gzip) into the spool',
    )
    .argument('<paths...>', 'files or directories (walked; symlinks are not followed)')
    .spoolOptions()
    .option('--force', 'import content again even if it was imported before')
    .option('--max-line-bytes <n>', 'longest line accepted', String(DEFAULT_MAX_LINE_BYTES))
    .option('--json', 'print the per-file and total counts as JSON')
    .addHelpText(
      'after',
      examples([
        ['spool import ./collector-out/ --service my-app'],
        ['spool import otel.json.gz --dir ./spool-data --json'],
      ]),
    )
    .action(async (paths: string[], options: ImportOptions) =>
      (await import('./commands/import.js')).importCommand(paths, options),
    );

  program
    .command('index')
    .description(
      'build or update the SQLite index of the spool (<spool>/index/spool.sqlite) that `spool sql` queries',
    )
    .option('--rebuild', 'drop the index and build it again from the spool')
    .option(
      '--rollup-retention <duration>',
      'keep rollups of evicted segments this long (30d, 52w; default 400d)',
    )
    .spoolOptions()
    .option('--json', 'print what was indexed as JSON')
    .addHelpText(
      'after',
      examples([
        ['spool index', 'index the new segments and lines'],
        ['spool index --rebuild --json', 'from scratch, machine-readable'],
      ]),
    )
    .action(async (options: IndexCommandOptions) =>
      (await import('./commands/index-command.js')).indexCommand(options),
    );

  program
    .command('sql')
    .description(
      'one read-only SQL query over the spool index (tables in TELEMETRY_GUIDE.md); updates the index first',
    )
    .argument('<query>', 'a single SELECT or WITH statement')
    .option('--no-update', 'query the index as it is, without indexing new data first')
    .spoolOptions()
    .option('--json', 'print { columns, rows } as JSON')
    .option('--csv', 'print the rows as CSV (RFC 4180) with a header line')
    .addHelpText(
      'after',
      examples([
        [
          `spool sql "SELECT name, count(*) AS n, avg(duration_ns)/1e6 AS avg_ms FROM spans GROUP BY name ORDER BY n DESC"`,
        ],
        [
          `spool sql --csv "SELECT time_ns, severity_text, body FROM logs WHERE body LIKE '%timeout%'"`,
        ],
      ]),
    )
    .action(async (query: string, options: SqlCommandOptions) =>
      (await import('./commands/sql.js')).sqlCommand(query, options),
    );

  return program;
}

/** Runs the CLI; returns the exit code instead of exiting so callers decide. */
export async function runCli(argv: string[]): Promise<number> {
  setNoColorFlag(false);
  const program = createProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      if (err.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`spool: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`spool: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  } finally {
    setNoColorFlag(false);
  }
}
