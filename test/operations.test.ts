import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestServer, testDatabaseName, testDatabaseUri, type TestServer } from './helpers/server.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ label: 'ops' });
});
after(() => srv.close());

describe('health, readiness, metrics', () => {
  test('/healthz and /readyz', async () => {
    const h = await fetch(`${srv.url}/healthz`);
    assert.equal(h.status, 200);
    assert.equal(((await h.json()) as { status: string }).status, 'ok');
    const r = await fetch(`${srv.url}/readyz`);
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { database: string }).database, 'reachable');
  });

  test('/metrics counts requests by route template, not by tenant', async () => {
    await fetch(`${srv.url}/t/system/jwks`);
    await fetch(`${srv.url}/t/system/.well-known/openid-configuration`);
    const res = await fetch(`${srv.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /gatehouse_http_requests_total\{method="GET",route="\/t\/:slug\/jwks",status="200"\} \d+/);
    assert.match(text, /gatehouse_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/t\/:slug\/jwks"\}/);
    assert.doesNotMatch(text, /route="\/t\/system/);
  });

  test('every response carries a request id; a sane incoming one is kept', async () => {
    const a = await fetch(`${srv.url}/healthz`);
    assert.match(a.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const b = await fetch(`${srv.url}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
    assert.equal(b.headers.get('x-request-id'), 'trace-123');
    const c = await fetch(`${srv.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    assert.notEqual(c.headers.get('x-request-id'), 'bad id with spaces');
  });

  test('security headers', async () => {
    const res = await fetch(`${srv.url}/t/system/jwks`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-powered-by'), null);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('the process', () => {
  test('logs JSON with request ids, and on SIGTERM finishes in-flight requests, then exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: String(port),
        MONGODB_URI: testDatabaseUri(),
        MONGODB_DATABASE: testDatabaseName('proc'),
        GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64'),
        GATEHOUSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gh-proc-')),
        GATEHOUSE_ADMIN_CLIENT_ID: 'proc-admin',
        GATEHOUSE_ADMIN_CLIENT_SECRET: 'proc-admin-secret-0123456789',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const until = Date.now() + 60_000;
    while (!out.includes('Gatehouse is listening') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /Admin client id: +proc-admin/);
    assert.doesNotMatch(out, /Demo tenant/, 'no demo tenant on a real database unless asked');

    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { 'x-request-id': 'req-abc' } })).status, 200);

    // An in-flight request: headers and half a body sent, then SIGTERM, then the rest.
    const body = 'grant_type=client_credentials&scope=admin';
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let response = '';
    sock.on('data', (d) => (response += d.toString()));
    const auth = Buffer.from('proc-admin:proc-admin-secret-0123456789').toString('base64');
    sock.write(
      `POST /t/system/token HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ${auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    // The rest of the body arrives once the process is draining (its log says so), not after a guessed while.
    const draining = Date.now() + 10_000;
    while (!out.includes('shutting down') && Date.now() < draining) await new Promise((r) => setTimeout(r, 25));
    assert.match(out, /shutting down/, 'the process started draining after SIGTERM');
    sock.write(body.slice(10));
    await new Promise((r) => sock.once('close', r));
    assert.match(response, /^HTTP\/1\.1 200/, response.slice(0, 200));
    assert.match(response, /access_token/);

    assert.equal(await exited, 0);
    const logs = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(
      logs.some((l) => l.reqId === 'req-abc' && l.path === '/healthz' && l.status === 200),
      'request logged with its id',
    );
    assert.ok(logs.some((l) => l.msg === 'stopped'));
  });
});
