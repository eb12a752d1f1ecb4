// The page's shareable state (search filters, the selected trace and span, the selected crash
// group) lives in its query string: a link pasted elsewhere or a reload opens the same view.

export function readUrlState() {
  return new window.URLSearchParams(window.location.search);
}

/**
 * Sets (string), replaces (array) or removes (null) parameters, keeping the others; `push`
 * makes a history entry so Back returns to the previous search or trace.
 */
export function writeUrlState(changes, { push = false } = {}) {
  const params = readUrlState();
  for (const [key, value] of Object.entries(changes)) {
    params.delete(key);
    if (value === null || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  const search = params.toString();
  const url = `${window.location.pathname}${search ? `?${search}` : ''}${window.location.hash}`;
  if (url === `${window.location.pathname}${window.location.search}${window.location.hash}`) return;
  if (push) window.history.pushState(null, '', url);
  else window.history.replaceState(null, '', url);
}
