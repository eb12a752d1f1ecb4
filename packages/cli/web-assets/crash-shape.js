// Maps @otelspool/crash's crash groups and crash reports (as sent by /api/crashes) to what the
// crash view draws. Kept apart from the view so the mapping is in one place.

/** A group from /api/crashes (CrashGroup, with sessions/installs reduced to counts). */
export function crashGroupView(group) {
  const reportIds = group.reportIds ?? [];
  return {
    id: String(group.id),
    // reportIds are oldest first: the latest occurrence is the representative one.
    reportId: String(reportIds[reportIds.length - 1] ?? group.id),
    title: `${group.type}: ${group.message}`,
    topFrame: group.topFrame ?? '',
    count: group.count ?? 1,
    firstSeen: group.firstSeen,
    lastSeen: group.lastSeen,
    hosts: group.hosts ?? [],
    versions: group.versions ?? [],
    sessionCount: group.sessionCount ?? 0,
    // Per-release (service.version) and per-host counts, largest first.
    byVersion: (group.byVersion ?? []).map((r) => ({ key: String(r.key), count: r.count })),
    byHost: (group.byHost ?? []).map((r) => ({ key: String(r.key), count: r.count })),
  };
}

/** A CrashReport from /api/crashes/:id. */
export function crashReportView(report) {
  const error = report.error ?? { type: 'Error', message: '', frames: [] };
  const resource = report.resource ?? {};
  return {
    id: report.id,
    title: `${error.type}: ${error.message}`,
    time: report.time,
    origin: report.origin,
    host: resource['host.name'],
    version: resource['service.version'],
    session: report.session?.id,
    traceId: report.trace?.traceId,
    stack: error.stack ?? '',
    frames: (error.frames ?? []).map((f) => ({
      fn: f.function ?? (f.file ? '' : f.raw),
      where: f.file ? location(f.file, f.line, f.column) : '',
      inApp: f.inApp === true,
      // Set when the frame was mapped through the app's source map: the JavaScript location.
      generated: f.generated
        ? location(f.generated.file, f.generated.line, f.generated.column)
        : '',
      context: f.context
        ? {
            startLine: f.context.startLine,
            lines: f.context.lines.map(String),
            line: f.line,
          }
        : null,
    })),
    causes: causeChain(error.cause),
    breadcrumbs: (report.breadcrumbs ?? []).map((b) => ({
      time: b.timestamp,
      category: b.category ?? b.level ?? '',
      message: b.message ?? '',
      // The breadcrumb's attributes, shown with it (not only the message).
      data: Object.entries(b.data ?? {}).map(([key, value]) => ({ key, value: String(value) })),
    })),
  };
}

function location(file, line, column) {
  return [file, line, column].filter((x) => x !== undefined && x !== null).join(':');
}

function causeChain(cause) {
  const out = [];
  for (let c = cause; c && out.length < 8; c = c.cause) out.push(`${c.type}: ${c.message}`);
  return out;
}
