import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

/**
 * The one request guard in front of every HTTP endpoint of `spool serve` and `spool dashboard`
 * (OTLP `/v1/*`, the dashboard, its `/api/*` and its event stream). It answers three questions,
 * in this order:
 *
 * 1. **Is the Host one this server answers to?** (DNS rebinding: a page on evil.example whose
 *    name is re-pointed at 127.0.0.1 becomes same-origin with us, but its requests still say
 *    `Host: evil.example`.) Allowed: loopback names and literals (`localhost`, `*.localhost`,
 *    `127.x.x.x`, `[::1]`) at the port the request arrived on; the name the server is bound to;
 *    names added with `allowHosts` (any port, or the one given). Other IP literals only when the
 *    server is bound to a non-loopback address AND a token is set (or `insecureNoToken` says the
 *    operator accepts an open server): rebinding needs a name, so an IP literal is only ever a
 *    real network client, and those must present the token.
 * 2. **Does the request come from another web page?** A browser adds `Origin` to cross-origin
 *    requests (and to every POST) and `Sec-Fetch-Site`; OTLP clients (SDKs, the Collector)
 *    send neither. An `Origin` that is not this server's own origin, or `Sec-Fetch-Site:
 *    cross-site` / `same-site` (another port of localhost is "same-site"), is refused, except a
 *    plain top-level navigation (GET/HEAD, `Sec-Fetch-Mode: navigate`): the page that started it
 *    cannot read the answer.
 * 3. **Is the token there?** (only when one is set) `Authorization: Bearer <token>` with the scheme
 *    in any case (RFC 7235), or, on GET/HEAD only, the session cookie. A browser gets the cookie
 *    once from `?token=<token>` in the URL: the guard answers that with a 303 to the same URL
 *    without the token, setting an HttpOnly, SameSite=Strict, Path=/ cookie (as Jupyter does).
 *    Comparisons are constant-time; the cookie holds an HMAC of the token, never the token.
 */
export interface RequestGuardOptions {
  /** The address the server listens on (`--host`). Default 127.0.0.1. */
  bindHost?: string;
  /** When set, every request needs it (header, or the cookie obtained from `?token=`). */
  token?: string;
  /** Extra Host names to answer: `name` (any port) or `name:port`, e.g. behind a proxy. */
  allowHosts?: readonly string[];
  /**
   * The operator accepts a non-loopback server without a token: IP-literal Hosts are then
   * answered too. `spool serve`/`dashboard` set it only from `--insecure-no-token`.
   */
  insecureNoToken?: boolean;
}

/** What to do with a request: let it through, refuse it, or trade a URL token for a cookie. */
export type GuardVerdict =
  | { kind: 'allow' }
  | {
      kind: 'refuse';
      status: 401 | 403;
      error: 'host_not_allowed' | 'origin_not_allowed' | 'unauthorized';
      message: string;
      headers: Record<string, string>;
    }
  | { kind: 'login'; status: 303; headers: Record<string, string> };

export interface RequestGuard {
  check(req: IncomingMessage): GuardVerdict;
  /** True when a token is set (so the printed URL needs `?token=`). */
  readonly requiresToken: boolean;
}

/** Longest token accepted; tokens are visible ASCII without spaces (RFC 6750 b64token-like). */
export const MAX_TOKEN_LENGTH = 1024;
/** The query parameter the dashboard URL carries the token in, once. */
export const TOKEN_QUERY_PARAM = 'token';
const COOKIE_PREFIX = 'otelspool-session-';
const SESSION_LABEL = 'otelspool dashboard session v1';

/** Why a token is unusable, or undefined when it is fine. */
export function tokenProblem(token: string): string | undefined {
  if (token.length === 0) return 'the token is empty';
  if (token.length > MAX_TOKEN_LENGTH)
    return `the token is longer than ${MAX_TOKEN_LENGTH} characters`;
  if (!/^[\x21-\x7e]+$/.test(token)) return 'the token must be visible ASCII without spaces';
  return undefined;
}

/** A bind address that only this machine can reach (a name that resolves elsewhere is not). */
export function isLoopbackBindHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return isLoopbackName(name);
}

/** Why an `allowHosts` entry is unusable, or undefined when it is fine. */
export function allowHostProblem(entry: string): string | undefined {
  const parsed = parseHost(entry);
  if (parsed === undefined) return `"${entry}" is not a host name, IP literal or name:port`;
  if (parsed.name === '*' || parsed.name.includes('*')) return 'wildcards are not supported';
  return undefined;
}

export function createRequestGuard(options: RequestGuardOptions = {}): RequestGuard {
  const bindHost = (options.bindHost ?? '127.0.0.1')
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  const bindLoopback = isLoopbackName(bindHost);
  // A wildcard bind (0.0.0.0, ::) is not a name clients use; a specific name is.
  const bindName = isIP(bindHost) === 0 && bindHost !== '' ? bindHost : undefined;
  const token = options.token;
  if (token !== undefined) {
    const problem = tokenProblem(token);
    if (problem !== undefined) throw new TypeError(`invalid token: ${problem}`);
  }
  const allowed = (options.allowHosts ?? []).map((entry) => {
    const parsed = parseHost(entry);
    const problem = allowHostProblem(entry);
    if (parsed === undefined || problem !== undefined)
      throw new TypeError(`invalid allowed host: ${problem ?? entry}`);
    return parsed;
  });
  const ipLiteralsOk = !bindLoopback && (token !== undefined || options.insecureNoToken === true);
  const tokenDigest = token === undefined ? undefined : digest(token);
  const sessionValue =
    token === undefined
      ? undefined
      : createHmac('sha256', token).update(SESSION_LABEL).digest('base64url');
  const sessionDigest = sessionValue === undefined ? undefined : digest(sessionValue);

  function hostAllowed(host: ParsedHost, localPort: number | undefined): boolean {
    const port = host.port ?? 80;
    if (allowed.some((a) => a.name === host.name && (a.port === undefined || a.port === port)))
      return true;
    if (localPort !== undefined && port !== localPort) return false;
    if (isLoopbackName(host.name)) return true;
    if (bindName !== undefined && host.name === bindName) return true;
    return ipLiteralsOk && isIP(host.name) !== 0;
  }

  function check(req: IncomingMessage): GuardVerdict {
    const hostHeader = req.headers.host;
    const host = hostHeader === undefined ? undefined : parseHost(hostHeader);
    if (host === undefined || !hostAllowed(host, req.socket.localPort)) {
      return refuse(
        403,
        'host_not_allowed',
        `Host ${JSON.stringify(clip(hostHeader ?? ''))} is not a name this server answers to ` +
          '(DNS rebinding protection); add it with --allow-host if it is yours',
      );
    }
    const foreign = foreignOrigin(req, host);
    if (foreign !== undefined) return refuse(403, 'origin_not_allowed', foreign);
    if (tokenDigest === undefined || sessionDigest === undefined || sessionValue === undefined)
      return { kind: 'allow' };

    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      const presented = bearerToken(authorization);
      if (presented !== undefined && sameDigest(digest(presented), tokenDigest))
        return { kind: 'allow' };
      return unauthorized('invalid token in the Authorization header');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return unauthorized('missing token: send "Authorization: Bearer <token>"');
    const cookieName = `${COOKIE_PREFIX}${req.socket.localPort ?? 0}`;
    const url = requestUrl(req.url);
    const fromUrl = url?.searchParams.get(TOKEN_QUERY_PARAM) ?? null;
    if (url !== undefined && fromUrl !== null) {
      // Checked before the cookie, so the token also leaves the address bar of a logged-in tab.
      if (!sameDigest(digest(fromUrl), tokenDigest))
        return unauthorized('invalid token in the URL');
      url.searchParams.delete(TOKEN_QUERY_PARAM);
      const rest = url.searchParams.toString();
      // Always a path on this server: never `//host`, which a browser would read as another site.
      const path = `/${url.pathname.replace(/^\/+/, '')}`;
      return {
        kind: 'login',
        status: 303,
        headers: {
          location: `${path}${rest === '' ? '' : `?${rest}`}`,
          'set-cookie': `${cookieName}=${sessionValue}; HttpOnly; SameSite=Strict; Path=/`,
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
        },
      };
    }
    const cookie = cookieValue(req.headers.cookie, cookieName);
    if (cookie !== undefined && sameDigest(digest(cookie), sessionDigest)) return { kind: 'allow' };
    return unauthorized(
      'missing token: send "Authorization: Bearer <token>", or open the URL with ?token= ' +
        'that spool printed when it started',
    );
  }

  return { check, requiresToken: token !== undefined };
}

/**
 * Writes a refusal or a login redirect as a small JSON/empty answer, for endpoints that have no
 * answer format of their own. The body is discarded, never buffered, and the connection is
 * closed after the answer: a refused client gets no chance to stream megabytes into us.
 */
export function sendGuardVerdict(
  req: IncomingMessage,
  res: ServerResponse,
  verdict: Exclude<GuardVerdict, { kind: 'allow' }>,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (verdict.kind === 'login') {
    res.writeHead(verdict.status, { ...verdict.headers, 'content-length': '0' });
    res.end();
    return;
  }
  const body = Buffer.from(JSON.stringify({ error: verdict.error, message: verdict.message }));
  res.writeHead(verdict.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(body.length),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'close',
    ...verdict.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  req.resume();
}

interface ParsedHost {
  /** Lower case, IPv6 without brackets, no trailing dot. */
  name: string;
  port?: number;
}

/** `example:80` → example/80, `[::1]:8080` → ::1/8080; undefined when malformed. */
function parseHost(value: string): ParsedHost | undefined {
  const text = value.trim().toLowerCase();
  if (text.length === 0 || text.length > 300) return undefined;
  let name: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end === -1) return undefined;
    name = text.slice(1, end);
    const after = text.slice(end + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return undefined;
      portText = after.slice(1);
    }
    if (isIP(name) !== 6) return undefined;
  } else {
    const colon = text.indexOf(':');
    if (colon !== text.lastIndexOf(':')) return undefined; // a bare IPv6 literal needs brackets
    name = colon === -1 ? text : text.slice(0, colon);
    portText = colon === -1 ? undefined : text.slice(colon + 1);
    if (name.endsWith('.')) name = name.slice(0, -1);
    if (!/^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$/.test(name) && name !== '*') return undefined;
  }
  if (portText === undefined) return { name };
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  return port > 0 && port <= 65535 ? { name, port } : undefined;
}

function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const family = isIP(name);
  if (family === 4) return name.startsWith('127.');
  if (family === 6)
    return name === '::1' || name === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(name);
  return false;
}

/** The request target as a URL, or undefined when it is not one (the guard never throws). */
function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://guard.invalid');
  } catch {
    return undefined;
  }
}

/** Why the request comes from another web page, or undefined when it does not. */
function foreignOrigin(req: IncomingMessage, host: ParsedHost): string | undefined {
  const origin = req.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, host)) {
    return `cross-origin requests are refused (Origin ${JSON.stringify(clip(origin))})`;
  }
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    // A link the user followed from another site to the dashboard page: the page behind it
    // cannot read the answer. Never for the API or OTLP paths: a foreign page could still make
    // them work (an expensive search opened with window.open) without reading the answer.
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const navigation =
      (req.method === 'GET' || req.method === 'HEAD') &&
      req.headers['sec-fetch-mode'] === 'navigate' &&
      !/^\/(api|v1|otlp)(\/|$)/.test(path);
    if (!navigation) return `requests from other sites are refused (Sec-Fetch-Site: ${site})`;
  }
  return undefined;
}

function sameOrigin(origin: string, host: ParsedHost): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null"
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const defaultPort = url.protocol === 'https:' ? 443 : 80;
  const originName = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const originPort = url.port === '' ? defaultPort : Number(url.port);
  return originName === host.name && originPort === (host.port ?? defaultPort);
}

/** The credentials of `Bearer <token>` (scheme in any case), or undefined. */
function bearerToken(header: string): string | undefined {
  const match = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)[ \t]+(\S+)[ \t]*$/.exec(header.trim());
  if (match === null || match[1]?.toLowerCase() !== 'bearer') return undefined;
  return match[2];
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Fixed-length digests, so comparing never leaks the token's length or a matching prefix. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function sameDigest(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}

function refuse(
  status: 401 | 403,
  error: 'host_not_allowed' | 'origin_not_allowed' | 'unauthorized',
  message: string,
  headers: Record<string, string> = {},
): GuardVerdict {
  return { kind: 'refuse', status, error, message, headers };
}

function unauthorized(message: string): GuardVerdict {
  return refuse(401, 'unauthorized', message, { 'www-authenticate': 'Bearer' });
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
