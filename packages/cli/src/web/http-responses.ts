import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Headers every dashboard response carries. The UI loads only its own scripts and styles
 * (no CDN, no inline script), cannot be framed, and never sends a Referer elsewhere.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

/** Upper bound of any JSON body the dashboard sends, so one request can never balloon. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

/** Sends `value` as JSON; HEAD requests get the headers only. */
export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  value: unknown,
): void {
  let body = JSON.stringify(value);
  if (Buffer.byteLength(body) > MAX_JSON_BYTES) {
    status = 507;
    body = JSON.stringify({ error: 'response_too_large', message: 'response exceeds 16 MiB' });
  }
  send(req, res, status, 'application/json; charset=utf-8', body, { 'cache-control': 'no-store' });
}

/** A JSON error body `{ error, message }` with the given status. */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  error: string,
  message: string,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  sendJson(req, res, status, { error, message });
}

/** Writes a complete response with security headers and an exact content-length. */
export function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': contentType,
    'content-length': String(buffer.length),
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : buffer);
}
