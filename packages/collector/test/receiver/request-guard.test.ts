// The request guard in front of every path of the OTLP receiver, attacked over real HTTP on
// 127.0.0.1: DNS-rebinding Hosts, foreign Origins, cross-site fetches, and the token.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createOtlpReceiver,
  type OtlpReceiver,
  type OtlpReceiverOptions,
} from '../../src/receiver/receiver.js';
import { createRequestGuard, tokenProblem } from '../../src/receiver/request-guard.js';
import { decodeStatus } from '../../src/protobuf/codec.js';
import { logsLine } from '../helpers/spool-fixtures.js';
import { logsOf, readAll } from '../helpers/read-all.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

let dir: string | undefined;
let receiver: OtlpReceiver | undefined;
let port = 0;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function start(options: Omit<OtlpReceiverOptions, 'dir' | 'port'> = {}): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'guard-'));
  receiver = createOtlpReceiver({
    dir,
    port: 0,
    fallback: (_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('dashboard'),
    ...options,
  });
  port = Number(new URL(await receiver.listen()).port);
}

/** A raw request to 127.0.0.1: every header exactly as an attacker's browser would send it. */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const LOGS = Buffer.from(JSON.stringify(logsLine(0, 2, 'guarded')));
const postLogs = (headers: Record<string, string>) =>
  send('POST', '/v1/logs', { 'content-type': 'application/json', ...headers }, LOGS);

async function storedLogs(): Promise<number> {
  await receiver?.close();
  return logsOf(await readAll(dir as string, 'logs')).length;
}

describe('request guard: Host allow-list (DNS rebinding)', () => {
  it('refuses POST /v1/* for a rebound name and stores nothing', async () => {
    await start();
    const evil = await postLogs({ host: `evil.example:${port}` });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body.toString())).toMatchObject({ message: /DNS rebinding/ });
    const noPort = await postLogs({ host: 'evil.example' });
    expect(noPort.status).toBe(403);
    expect(await storedLogs()).toBe(0);
  });

  it('answers loopback names and literals at the bound port only', async () => {
    await start();
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      `app.localhost:${port}`,
    ])
      expect((await postLogs({ host })).status, host).toBe(200);
    for (const host of [
      `127.0.0.1:${port + 1}`,
      'localhost',
      `10.0.0.7:${port}`,
      `[::1`,
      `a b:${port}`,
    ])
      expect((await postLogs({ host })).status, host).toBe(403);
    expect(await storedLogs()).toBe(8);
  });

  it('refuses the fallback (dashboard) paths for a foreign Host too', async () => {
    await start();
    const r = await send('GET', '/api/report', { host: `evil.example:${port}` });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body.toString())).toMatchObject({ error: 'host_not_allowed' });
  });

  it('answers names added with allowHosts (any port, or the one given)', async () => {
    await start({ allowHosts: ['spool.internal', 'proxy.lan:8443'] });
    expect((await postLogs({ host: 'spool.internal' })).status).toBe(200);
    expect((await postLogs({ host: 'proxy.lan:8443' })).status).toBe(200);
    expect((await postLogs({ host: 'proxy.lan:9000' })).status).toBe(403);
  });

  it('answers a protobuf client refused for its Host with a protobuf Status', async () => {
    await start();
    const r = await send(
      'POST',
      '/v1/logs',
      {
        host: `evil.example:${port}`,
        'content-type': 'application/x-protobuf',
      },
      Buffer.from([0x0a, 0x00]),
    );
    expect(r.status).toBe(403);
    expect(r.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeStatus(r.body)?.message).toMatch(/DNS rebinding/);
  });

  it('on a non-loopback bind, answers IP-literal Hosts only with a token', async () => {
    await start({ host: '0.0.0.0' });
    expect((await postLogs({ host: `192.0.2.10:${port}` })).status).toBe(403);
    expect((await postLogs({ host: `127.0.0.1:${port}` })).status).toBe(200);
    await receiver?.close();
    await start({ host: '0.0.0.0', token: 'lan-secret' });
    expect((await postLogs({ host: `192.0.2.10:${port}` })).status).toBe(401);
    const ok = await postLogs({ host: `192.0.2.10:${port}`, authorization: 'Bearer lan-secret' });
    expect(ok.status).toBe(200);
    await receiver?.close();
    await start({ host: '0.0.0.0', insecureNoToken: true });
    expect((await postLogs({ host: `192.0.2.10:${port}` })).status).toBe(200);
  });
});

describe('request guard: requests from other web pages', () => {
  it('refuses a foreign Origin with the right Host and stores nothing', async () => {
    await start();
    const host = `127.0.0.1:${port}`;
    for (const origin of [
      `http://evil.example:${port}`,
      'null',
      `http://127.0.0.1:${port + 1}`,
      'https://evil.example',
    ]) {
      const r = await postLogs({ host, origin });
      expect(r.status, origin).toBe(403);
      expect(JSON.parse(r.body.toString()).message).toMatch(/cross-origin/);
    }
    const crossSite = await postLogs({
      host,
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'no-cors',
    });
    expect(crossSite.status).toBe(403);
    const otherPort = await postLogs({
      host,
      'sec-fetch-site': 'same-site',
      'sec-fetch-mode': 'cors',
    });
    expect(otherPort.status).toBe(403);
    expect(await storedLogs()).toBe(0);
  });

  it('takes an SDK-like request (no Origin) and the server own origin', async () => {
    await start();
    expect((await postLogs({ host: `127.0.0.1:${port}` })).status).toBe(200);
    const own = await postLogs({
      host: `localhost:${port}`,
      origin: `http://localhost:${port}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(own.status).toBe(200);
    expect(await storedLogs()).toBe(4);
  });

  it('lets a top-level navigation from another site reach a GET page, nothing else', async () => {
    await start();
    const nav = await send('GET', '/', {
      host: `127.0.0.1:${port}`,
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'navigate',
    });
    expect(nav.status).toBe(200);
    const post = await postLogs({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' });
    expect(post.status).toBe(403);
    // A foreign page opening an API or OTLP URL (window.open) is refused: it cannot read the
    // answer, but it could still make the server do the work (an expensive search).
    for (const path of ['/api/logs?regex=x', '/api/search', '/v1/logs', '/otlp/v1/logs']) {
      const opened = await send('GET', path, {
        host: `127.0.0.1:${port}`,
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'navigate',
      });
      expect(opened.status, path).toBe(403);
    }
  });
});

describe('request guard: the token', () => {
  it('accepts the Bearer scheme in any case, compares the token exactly', async () => {
    await start({ token: 'T0ken-xyz' });
    for (const authorization of ['Bearer T0ken-xyz', 'bearer T0ken-xyz', 'BEARER   T0ken-xyz'])
      expect((await postLogs({ authorization })).status, authorization).toBe(200);
    for (const authorization of [
      'Bearer t0ken-xyz',
      'Bearer T0ken-xy',
      'Basic T0ken-xyz',
      'T0ken-xyz',
      'Bearer',
    ])
      expect((await postLogs({ authorization })).status, authorization).toBe(401);
    const none = await postLogs({});
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(await storedLogs()).toBe(6);
  });

  it('guards the fallback paths; a browser trades ?token= for an HttpOnly SameSite=Strict cookie', async () => {
    await start({ token: 'T0ken-xyz' });
    expect((await send('GET', '/', {})).status).toBe(401);
    expect((await send('GET', '/?token=wrong', {})).status).toBe(401);
    const login = await send('GET', '/?token=T0ken-xyz&tab=crashes', {});
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/?tab=crashes');
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toContain('T0ken-xyz');
    const cookie = setCookie.split(';')[0] as string;
    expect((await send('GET', '/api/report', { cookie })).status).toBe(200);
    // the cookie is for reading: writes still need the header
    expect((await postLogs({ cookie })).status).toBe(401);
    expect((await send('GET', '/', { cookie: `${cookie}x` })).status).toBe(401);
  });

  it('redirects only to a path on this server', async () => {
    await start({ token: 'T0ken-xyz' });
    const r = await send('GET', '//evil.example/x?token=T0ken-xyz', {});
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/x');
  });

  it('survives request targets that are not URLs', async () => {
    await start({ token: 'T0ken-xyz' });
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
      socket.end(
        `GET http://[bad/?token=T0ken-xyz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
      );
    });
    expect(answer).toMatch(/^HTTP\/1\.1 (400|401) /);
    expect((await postLogs({ authorization: 'Bearer T0ken-xyz' })).status).toBe(200);
  });

  it('rejects unusable tokens with a clear error', () => {
    expect(tokenProblem('')).toMatch(/empty/);
    expect(tokenProblem('has space')).toMatch(/visible ASCII/);
    expect(tokenProblem('x'.repeat(2000))).toMatch(/longer/);
    expect(tokenProblem('ok-token_1.~+/=')).toBeUndefined();
    expect(() => createRequestGuard({ token: '' })).toThrow(/empty/);
    expect(() => createRequestGuard({ allowHosts: ['*.evil'] })).toThrow(/allowed host/);
  });
});
