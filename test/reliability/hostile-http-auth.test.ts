// A web page in the user's browser against the real `spool serve` process (issue 11, items 4
// and 5): DNS-rebinding posts to /v1/* with a foreign Host and Origin, cross-site fetches, the
// dashboard and its API behind --token, and a LAN bind without a token.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { FULL, SPOOL_BIN, startNode, stopAll, type LineChild } from './helpers/processes.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';
import { readSpool } from '@otelspool/exporter-jsonl';
import { recordFigure } from './helpers/figures.js';

afterAll(async () => {
  await stopAll();
  await removeTempDirs();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Served {
  child: LineChild;
  url: string;
  port: number;
  json: { url: string; dashboard?: string };
}

/** `spool serve --json ...`; resolves once the pretty-printed JSON document is complete. */
async function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const child = startNode([SPOOL_BIN, 'serve', '--port', '0', '--json', ...args], { env });
  await child.waitForLine((l) => l === '}', 30_000);
  const json = JSON.parse(child.lines.join('\n')) as Served['json'];
  return { child, url: json.url, port: Number(new URL(json.url).port), json };
}

/** A raw request to 127.0.0.1 with exactly these headers; -1 when the server cut the connection. */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<Reply> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const reply: Reply = { status: res.statusCode ?? 0, headers: res.headers, body: '' };
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        res.destroy(); // the live-update stream never ends by itself
        resolve(reply);
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (c: string) => (reply.body += c));
      res.on('end', () => resolve(reply));
      res.on('error', () => resolve(reply));
    });
    req.on('error', () => resolve({ status: -1, headers: {}, body: '' }));
    req.end(body);
  });
}

function logsBody(records: number, text: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: Array.from({ length: records }, (_, i) => ({
                timeUnixNano: String(BigInt(Date.now()) * 1_000_000n + BigInt(i)),
                body: { stringValue: text },
              })),
            },
          ],
        },
      ],
    }),
  );
}

const postLogs = (port: number, headers: Record<string, string>, body: Buffer) =>
  send(port, 'POST', '/v1/logs', { 'content-type': 'application/json', ...headers }, body);

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}

/** The bodies of every log record in the spool, as the reader yields them. */
async function storedBodies(dir: string): Promise<string[]> {
  const bodies: string[] = [];
  for await (const r of readSpool(dir, { signals: ['logs'] })) {
    const data = r.data as {
      resourceLogs?: { scopeLogs?: { logRecords?: { body?: { stringValue?: string } }[] }[] }[];
    };
    for (const rl of data.resourceLogs ?? [])
      for (const sl of rl.scopeLogs ?? [])
        for (const lr of sl.logRecords ?? []) bodies.push(lr.body?.stringValue ?? '');
  }
  return bodies;
}

async function stop(s: Served): Promise<void> {
  s.child.kill('SIGTERM');
  expect((await s.child.exited).code).toBe(0);
}

const DASHBOARD_ENDPOINTS = [
  '/',
  '/api/report',
  '/api/traces',
  '/api/search',
  '/api/crashes',
  '/api/events',
];

describe('a web page in the browser against spool serve', () => {
  it('DNS rebinding: foreign Host or Origin refused on /v1/*, nothing stored; SDK-like requests stored', async () => {
    const dir = await tempDir('rebind');
    const s = await serve(['--dir', dir]);
    const { port } = s;
    const rebound = { host: `evil.example:${port}`, origin: `http://evil.example:${port}` };

    const small = await postLogs(port, rebound, logsBody(1, 'fake span from a rebound page'));
    expect([403, 421]).toContain(small.status);
    // the right Host (the page rebound to 127.0.0.1 is still its own origin)
    const origin = await postLogs(port, { origin: rebound.origin }, logsBody(1, 'fake'));
    expect(origin.status).toBe(403);
    const crossSite = await postLogs(
      port,
      { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
      logsBody(1, 'fake'),
    );
    expect(crossSite.status).toBe(403);
    for (const path of DASHBOARD_ENDPOINTS)
      expect((await send(port, 'GET', path, rebound)).status, path).toBe(403);

    // The flood that used to make the byte cap evict the user's data: 8 MiB posts.
    const big = logsBody(2000, 'x'.repeat(4096));
    const posts = FULL ? 38 : 8;
    const statuses: Record<number, number> = {};
    const t0 = performance.now();
    for (let i = 0; i < posts; i++) {
      const r = await postLogs(port, rebound, big);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      expect([403, 421, -1]).toContain(r.status);
    }
    const floodMs = Math.round(performance.now() - t0);
    const peak = peakRssMiB(s.child.pid);

    const sdk = await postLogs(port, {}, logsBody(1, 'real record'));
    expect(sdk.status).toBe(200);
    await stop(s);
    const stored = await storedBodies(dir);
    expect(stored).toEqual(['real record']);
    recordFigure('hostile-http.rebinding', {
      posts,
      bodyMiB: +(big.length / 2 ** 20).toFixed(1),
      statuses,
      floodMs,
      serverPeakRssMiB: peak,
      storedLogRecords: stored.length,
    });
  });

  it('--token guards every endpoint, the dashboard included', async () => {
    const dir = await tempDir('token');
    const token = 'T-s3cret_token';
    const s = await serve(['--dir', dir, '--token', token]);
    const { port } = s;
    expect(s.json.dashboard).toBe(`${s.url}/?token=${token}`);

    const login = await send(port, 'GET', `/?token=${token}`, {});
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    const attributes = String(login.headers['set-cookie'])
      .split(';')
      .map((a) => a.trim());
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']));
    expect(attributes.join(';')).not.toContain(token);
    const cookie = attributes[0] as string;

    for (const path of DASHBOARD_ENDPOINTS) {
      const none = await send(port, 'GET', path, {});
      expect(none.status, path).toBe(401);
      expect(none.body, path).not.toMatch(/traceId|stack/);
      expect((await send(port, 'GET', path, { authorization: `bearer ${token}` })).status).toBe(
        200,
      );
      expect((await send(port, 'GET', path, { cookie })).status, path).toBe(200);
      expect((await send(port, 'GET', path, { cookie: `${cookie}0` })).status, path).toBe(401);
    }
    expect((await postLogs(port, {}, logsBody(1, 'no token'))).status).toBe(401);
    expect((await postLogs(port, { cookie }, logsBody(1, 'cookie only'))).status).toBe(401);
    const lower = await postLogs(port, { authorization: `bearer ${token}` }, logsBody(1, 'ok'));
    expect(lower.status).toBe(200);
    await stop(s);
    expect(await storedBodies(dir)).toEqual(['ok']);
  });

  it('takes the token from SPOOL_TOKEN, out of the process list', async () => {
    const dir = await tempDir('token-env');
    const s = await serve(['--dir', dir], { SPOOL_TOKEN: 'from-the-env' });
    expect((await send(s.port, 'GET', '/api/report', {})).status).toBe(401);
    const ok = await send(s.port, 'GET', '/api/report', { authorization: 'Bearer from-the-env' });
    expect(ok.status).toBe(200);
    await stop(s);
  });

  it('--host 0.0.0.0 without a token refuses to start; --insecure-no-token starts with a warning', async () => {
    const dir = await tempDir('lan');
    for (const command of ['serve', 'dashboard']) {
      // Bounded: a server that does start (the old behaviour) is killed and the test fails.
      const child = startNode([
        SPOOL_BIN,
        command,
        '--dir',
        dir,
        '--host',
        '0.0.0.0',
        '--port',
        '0',
      ]);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const exit = await child.exited;
      clearTimeout(timer);
      await new Promise((r) => setTimeout(r, 20)); // readline may deliver the last lines late
      expect(exit.code, command).toBe(2);
      expect(child.stderr()).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
      expect(child.lines).toEqual([]);
    }

    const open = await serve(['--dir', dir, '--host', '0.0.0.0', '--insecure-no-token']);
    await new Promise((r) => setTimeout(r, 100));
    expect(open.child.stderr()).toMatch(
      /WARNING: listening on 0\.0\.0\.0 with --insecure-no-token/,
    );
    // an IP-literal Host is a real network client (rebinding needs a name): answered, as asked
    const lan = await send(open.port, 'GET', '/api/report', { host: `192.0.2.7:${open.port}` });
    expect(lan.status).toBe(200);
    expect((await send(open.port, 'GET', '/', { host: `evil.example:${open.port}` })).status).toBe(
      403,
    );
    await stop(open);

    const guarded = await serve(['--dir', dir, '--host', '0.0.0.0', '--token', 'lan-T']);
    const host = `192.0.2.7:${guarded.port}`;
    expect((await send(guarded.port, 'GET', '/api/report', { host })).status).toBe(401);
    const withToken = await send(guarded.port, 'GET', '/api/report', {
      host,
      authorization: 'Bearer lan-T',
    });
    expect(withToken.status).toBe(200);
    expect(guarded.json.dashboard).toBe(`http://127.0.0.1:${guarded.port}/?token=lan-T`);
    await stop(guarded);
  });
});
