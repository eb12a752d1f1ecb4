import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestGuard } from '@otelspool/collector';
import { SECURITY_HEADERS, sendError } from './http-responses.js';

/**
 * Runs the shared request guard (Host allow-list, foreign Origin, token) for a dashboard
 * request and answers a refusal or the `?token=` login redirect itself, with the dashboard's
 * security headers. True when the request may go on.
 */
export function passesGuard(
  guard: RequestGuard,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const verdict = guard.check(req);
  if (verdict.kind === 'allow') return true;
  if (verdict.kind === 'login') {
    res.writeHead(verdict.status, {
      ...SECURITY_HEADERS,
      ...verdict.headers,
      'content-length': '0',
    });
    res.end();
    return false;
  }
  sendError(req, res, verdict.status, verdict.error, verdict.message, verdict.headers);
  return false;
}
