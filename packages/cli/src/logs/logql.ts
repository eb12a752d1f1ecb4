import { parser } from '@grafana/lezer-logql';
import {
  LogQueryError,
  type LabelMatcher,
  type LineFilterOp,
  type LogqlQuery,
  type MatchOp,
} from './types.js';

// The LogQL subset `spool logs` runs (TELEMETRY_GUIDE.md, "spool logs": grammar and examples).
// Parsing is Grafana's own LogQL grammar (@grafana/lezer-logql, the one Grafana's Loki query
// editor uses), so every construct of full LogQL is recognised by name and the ones outside
// the subset are refused by what they are (`| logfmt`, `count_over_time`, `or`, …) instead of
// as a syntax error. This file only walks its syntax tree: an allow-list of node types, then
// the selector, line filters, `| json` and label filters read off the tree.

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** What the subset holds, for error messages. */
export const LOGQL_SUBSET_HELP =
  'supported: a stream selector {label="value", ...} with = != =~ !~ over resource attributes ' +
  '(dots as underscores: service_name, host_name, ...), severity_text and level; line filters ' +
  '|= "text", != "text", |~ "regex", !~ "regex"; | json; label filters | key="value" with ' +
  '= != =~ !~ (several joined by "," or "and"); see TELEMETRY_GUIDE.md, "spool logs"';

/** Node types of the subset; every other named node of the grammar is refused. */
const ALLOWED = new Set([
  'LogQL',
  'Expr',
  'LogExpr',
  'Selector',
  'Matchers',
  'Matcher',
  'Identifier',
  'Eq',
  'Neq',
  'Re',
  'Nre',
  'String',
  'PipelineExpr',
  'PipelineStage',
  'LineFilters',
  'LineFilter',
  'Filter',
  'PipeExact',
  'PipeMatch',
  'Pipe',
  'LabelParser',
  'Json',
  'LabelFilter',
  'And',
  'LineComment',
]);

/** What a refused node is, in the user's words (the grammar's node names otherwise). */
const REFUSED: Record<string, string> = {
  MetricExpr: 'a metric query',
  BinOpExpr: 'a binary operation between queries',
  LogRangeExpr: 'a range [5m]',
  Range: 'a range [5m]',
  Offset: '`offset`',
  LogfmtParser: '`| logfmt`',
  Logfmt: '`| logfmt`',
  Regexp: '`| regexp`',
  Pattern: '`| pattern`',
  Unpack: '`| unpack`',
  JsonExpressionParser: '`| json` with extraction expressions',
  LineFormatExpr: '`| line_format`',
  LabelFormatExpr: '`| label_format`',
  Unwrap: '`| unwrap`',
  UnwrapExpr: '`| unwrap`',
  DecolorizeExpr: '`| decolorize`',
  DropLabelsExpr: '`| drop`',
  KeepLabelsExpr: '`| keep`',
  Or: '`or`',
  OrFilter: '`or` between line filters',
  NumberFilter: 'a numeric comparison',
  DurationFilter: 'a duration comparison',
  BytesFilter: 'a bytes comparison',
  IpLabelFilter: '`ip(...)`',
  Ip: '`ip(...)`',
  PipePattern: 'the pattern line filter `|>`',
  Npa: 'the pattern line filter `!>`',
};

const MATCH_OPS: Record<string, MatchOp> = { Eq: '=', Neq: '!=', Re: '=~', Nre: '!~' };
const LINE_OPS: Record<string, LineFilterOp> = {
  PipeExact: '|=',
  Neq: '!=',
  PipeMatch: '|~',
  Nre: '!~',
};

function column(text: string, at: number): string {
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const col = at - before.lastIndexOf('\n');
  return line > 1 ? `line ${line}, column ${col}` : `column ${col}`;
}

function excerpt(text: string, from: number, to: number): string {
  const s = text.slice(from, Math.max(to, from + 1)).replace(/\s+/g, ' ');
  return s.length > 40 ? s.slice(0, 39) + '…' : s;
}

/** Descendants of `node` (itself included) named `name`, in document order, not nested in each other. */
function findAll(node: SyntaxNode, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const visit = (n: SyntaxNode): void => {
    if (n.name === name) {
      found.push(n);
      return;
    }
    for (let c = n.firstChild; c; c = c.nextSibling) visit(c);
  };
  visit(node);
  return found;
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

const GO_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/**
 * The value of a LogQL string: `"..."` with Go's escapes (LogQL strings are Go strings:
 * https://grafana.com/docs/loki/latest/query/log_queries/#line-filter-expression), or a raw
 * `` `...` `` string.
 */
export function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  const body = literal.slice(1, -1);
  return body.replace(
    /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g,
    (whole, esc: string) => {
      const head = esc[0] ?? '';
      if (head === 'x' || head === 'u' || head === 'U')
        return String.fromCodePoint(parseInt(esc.slice(1), 16));
      if (/^[0-7]{3}$/.test(esc)) return String.fromCodePoint(parseInt(esc, 8));
      const simple = GO_ESCAPES[esc];
      if (simple === undefined)
        throw new LogQueryError(`LogQL: unknown escape ${whole} in ${literal}`);
      return simple;
    },
  );
}

function matcherOf(text: string, node: SyntaxNode): LabelMatcher {
  const name = node.getChild('Identifier');
  const value = node.getChild('String');
  const op = children(node).find((c) => MATCH_OPS[c.name] !== undefined);
  if (!name || !value || !op) {
    throw new LogQueryError(
      `LogQL syntax error at ${column(text, node.from)}: expected label op "value" in \`${excerpt(text, node.from, node.to)}\``,
    );
  }
  return {
    name: text.slice(name.from, name.to),
    op: MATCH_OPS[op.name] ?? '=',
    value: unquote(text.slice(value.from, value.to)),
  };
}

/** The matchers of a label filter: one Matcher, or several joined by `,`, `and` or parentheses. */
function labelFilterMatchers(text: string, node: SyntaxNode): LabelMatcher[] {
  return findAll(node, 'Matcher').map((m) => matcherOf(text, m));
}

/**
 * Parses a query of the LogQL subset. Throws LogQueryError naming what is outside the subset
 * (and where), or where the text is not LogQL at all.
 */
export function parseLogql(text: string): LogqlQuery {
  if (text.trim() === '') throw new LogQueryError(`LogQL: empty query; ${LOGQL_SUBSET_HELP}`);
  const tree = parser.parse(text);
  let refused: { what: string; from: number; to: number } | undefined;
  let syntaxError: number | undefined;
  tree.iterate({
    enter: (ref) => {
      if (refused) return false;
      if (ref.type.isError) {
        syntaxError ??= ref.from;
        return;
      }
      const name = ref.name;
      if (ALLOWED.has(name) || name === '' || name === '⚠') return;
      // `| regexp`, `| pattern`, `| unpack` parse as a LabelParser holding their keyword.
      refused = {
        what: REFUSED[name] ?? `\`${excerpt(text, ref.from, ref.to)}\``,
        from: ref.from,
        to: ref.to,
      };
      return false;
    },
  });
  if (refused) {
    throw new LogQueryError(
      `LogQL: ${refused.what} (\`${excerpt(text, refused.from, refused.to)}\` at ${column(text, refused.from)}) is outside the subset spool logs runs; ${LOGQL_SUBSET_HELP}`,
    );
  }
  if (syntaxError !== undefined) {
    const near = text.slice(syntaxError).trim();
    throw new LogQueryError(
      `LogQL syntax error at ${column(text, syntaxError)}` +
        (near
          ? ` near \`${excerpt(text, syntaxError, syntaxError + 20)}\``
          : ' (the query ends too early)') +
        `; a query starts with a stream selector such as {service_name="my-app"}; ${LOGQL_SUBSET_HELP}`,
    );
  }
  const selector = findAll(tree.topNode, 'Selector')[0];
  if (!selector) throw new LogQueryError(`LogQL: no stream selector {…}; ${LOGQL_SUBSET_HELP}`);
  const query: LogqlQuery = {
    selector: findAll(selector, 'Matcher').map((m) => matcherOf(text, m)),
    pipeline: [],
  };
  for (const stage of findAll(tree.topNode, 'PipelineStage')) {
    const lineFilters = findAll(stage, 'LineFilter');
    if (lineFilters.length > 0) {
      for (const lf of lineFilters) {
        const filter = lf.getChild('Filter');
        const op = filter && children(filter).find((c) => LINE_OPS[c.name] !== undefined);
        const value = lf.getChild('String');
        if (!op || !value)
          throw new LogQueryError(`LogQL syntax error at ${column(text, lf.from)}`);
        query.pipeline.push({
          kind: 'line',
          filter: {
            op: LINE_OPS[op.name] ?? '|=',
            value: unquote(text.slice(value.from, value.to)),
          },
        });
      }
    } else if (stage.getChild('LabelParser')) {
      query.pipeline.push({ kind: 'json' });
    } else {
      const filter = stage.getChild('LabelFilter');
      if (!filter) {
        throw new LogQueryError(
          `LogQL: \`${excerpt(text, stage.from, stage.to)}\` at ${column(text, stage.from)} is outside the subset spool logs runs; ${LOGQL_SUBSET_HELP}`,
        );
      }
      query.pipeline.push({ kind: 'labels', matchers: labelFilterMatchers(text, filter) });
    }
  }
  return query;
}
