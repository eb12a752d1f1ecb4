import { isIP } from 'node:net';

/**
 * Which Host headers the dashboard answers:
 * - 'loopback-or-ip' (default): localhost names and IP literals only,
 * - a list of extra host names allowed on top of those,
 * - 'any': no check (the caller has its own protection).
 */
export type AllowedHosts = 'loopback-or-ip' | 'any' | readonly string[];

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

/**
 * DNS rebinding defence (as in Jupyter and webpack-dev-server): a page on evil.example whose
 * name is re-pointed at 127.0.0.1 sends `Host: evil.example`, which is refused. IP literals are
 * safe because rebinding needs a name.
 */
export function isAllowedHost(hostHeader: string | undefined, allowed: AllowedHosts): boolean {
  if (allowed === 'any') return true;
  if (hostHeader === undefined) return false;
  const host = hostname(hostHeader.trim().toLowerCase());
  if (host === '') return false;
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return true;
  if (isIP(host) !== 0) return true;
  return Array.isArray(allowed) && allowed.some((h) => h.toLowerCase() === host);
}

/** `example:80` → `example`, `[::1]:8080` → `::1`. */
function hostname(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? '' : host.slice(1, end);
  }
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
