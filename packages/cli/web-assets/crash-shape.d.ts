// Types of crash-shape.js for the TypeScript tests that import it (not served: the dashboard
// serves .html, .js, .css and .svg only).

/** What the crash list draws for one group of /api/crashes. */
export interface CrashGroupView {
  id: string;
  reportId: string;
  title: string;
  topFrame: string;
  count: number;
  firstSeen: string | undefined;
  lastSeen: string | undefined;
  hosts: string[];
  versions: string[];
  sessionCount: number;
  byVersion: Array<{ key: string; count: number }>;
  byHost: Array<{ key: string; count: number }>;
}

/** What the crash detail draws for one report of /api/crashes/:id. */
export interface CrashReportView {
  id: string;
  title: string;
  time: string;
  origin: string | undefined;
  host: string | undefined;
  version: string | undefined;
  session: string | undefined;
  traceId: string | undefined;
  stack: string;
  frames: Array<{
    fn: string;
    where: string;
    inApp: boolean;
    /** The JavaScript location when `where` came from a source map, else ''. */
    generated: string;
    context: { startLine: number; lines: string[]; line: number | undefined } | null;
  }>;
  causes: string[];
  breadcrumbs: Array<{
    time: string | undefined;
    category: string;
    message: string;
    data: Array<{ key: string; value: string }>;
  }>;
}

export function crashGroupView(group: unknown): CrashGroupView;
export function crashReportView(report: unknown): CrashReportView;
