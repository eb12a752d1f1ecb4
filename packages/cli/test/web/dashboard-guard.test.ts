// The dashboard behind the shared request guard, attacked over real HTTP on 127.0.0.1: with a
// token every page, API and the event stream answer 401 until the token is shown (header with
// any-case scheme, or the cookie traded for `?token=`); foreign Hosts and Origins get 403.
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDashboardServer, type DashboardServer } from '../../src/web/index.js';
import { makeSpoolDir } from './spool-fixture.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const TOKEN = 'dash-T0ken_42';
const ENDPOINTS = [
  '/',
  '/api/report',
  '/api/traces',
  '/api/search',
  '/api/logs',
  '/api/crashes',
  '/api/events',
];

/** Raw GET; an event stream is cut after its headers (it never ends by itself). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      const reply = { status: res.statusCode ?? 0, headers: res.headers, body: '' };
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        res.destroy();
        resolve(reply);
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (c: string) => (reply.body += c));
      res.on('end', () => resolve(reply));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard with --token', () => {
  let spool: ReturnType<typeof makeSpoolDir>;
  let dashboard: DashboardServer;
  let port: number;

  beforeEach(async () => {
    spool = makeSpoolDir();
    dashboard = await startDashboardServer({ dir: spool.dir, port: 0, token: TOKEN });
    port = Number(new URL(dashboard.url).port);
  });
  afterEach(async () => {
    await dashboard.close();
    spool.cleanup();
  });

  it('prints an open URL that carries the token once', () => {
    expect(dashboard.openUrl).toBe(`${dashboard.url}?token=${TOKEN}`);
  });

  it.each(ENDPOINTS)('%s answers 401 without the token', async (path) => {
    const reply = await get(port, path);
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(reply.body)).toMatchObject({ error: 'unauthorized' });
    expect(reply.body).not.toContain(TOKEN);
    expect((await get(port, path, { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it.each(ENDPOINTS)(
    '%s answers with "Authorization: bearer <token>" (lower-case scheme)',
    async (path) => {
      expect((await get(port, path, { authorization: `bearer ${TOKEN}` })).status).toBe(200);
    },
  );

  it.each(ENDPOINTS)('%s answers with the cookie obtained from /?token=', async (path) => {
    const login = await get(port, `/?token=${encodeURIComponent(TOKEN)}`);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    const setCookie = login.headers['set-cookie'];
    expect(Array.isArray(setCookie) && setCookie.length === 1).toBe(true);
    const attributes = String(setCookie)
      .split(';')
      .map((a) => a.trim());
    expect(attributes).toContain('HttpOnly');
    expect(attributes).toContain('SameSite=Strict');
    expect(attributes).toContain('Path=/');
    expect(attributes.join(';')).not.toContain(TOKEN);
    expect(login.headers['content-security-policy']).toBeDefined();
    expect((await get(port, path, { cookie: attributes[0] as string })).status).toBe(200);
  });

  it('refuses a foreign Host or Origin even with the token', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await get(port, '/api/report', { ...auth, host: `evil.example:${port}` })).status).toBe(
      403,
    );
    const foreign = await get(port, '/api/report', {
      ...auth,
      origin: `http://evil.example:${port}`,
    });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ error: 'origin_not_allowed' });
  });
});

describe('dashboard without a token', () => {
  it('answers loopback, refuses rebinding Hosts and foreign Origins on every endpoint', async () => {
    const spool = makeSpoolDir();
    const dashboard = await startDashboardServer({ dir: spool.dir, port: 0 });
    const port = Number(new URL(dashboard.url).port);
    try {
      expect(dashboard.openUrl).toBe(dashboard.url);
      for (const path of ENDPOINTS) {
        expect((await get(port, path)).status, path).toBe(200);
        expect((await get(port, path, { host: `evil.example:${port}` })).status, path).toBe(403);
        const origin = { origin: `http://evil.example:${port}`, 'sec-fetch-site': 'cross-site' };
        expect((await get(port, path, origin)).status, path).toBe(403);
      }
    } finally {
      await dashboard.close();
      spool.cleanup();
    }
  });
});
