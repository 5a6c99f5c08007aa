/**
 * Issue 12 finding 6: a secret the operator supplied (GATEHOUSE_ADMIN_CLIENT_SECRET) is
 * never printed — not in the banner, not in the curl example, not in the logs — and the
 * supplied credentials work. On an external database without them no secret is
 * generated (it would land in the platform's logs).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { testDatabaseName, testDatabaseUri } from './helpers/server.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts src/main.ts, waits for the banner, runs `check`, stops it; returns everything it printed. */
async function start(env: Record<string, string>, check: (port: number) => Promise<void> = async () => undefined): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      MONGODB_URI: testDatabaseUri(),
      MONGODB_DATABASE: testDatabaseName('secret'),
      GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64'),
      GATEHOUSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gh-secret-')),
      LOG_LEVEL: 'debug',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const until = Date.now() + 60_000;
    while (!out.includes('Gatehouse is listening') && Date.now() < until && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /Gatehouse is listening/, out.slice(-2000));
    await check(port);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return out;
}

test('the supplied admin secret is never printed; the credentials work; the curl line names the variables', async () => {
  const secret = `operator-chosen-${randomBytes(12).toString('hex')}`;
  const out = await start({ GATEHOUSE_ADMIN_CLIENT_ID: 'ops-admin', GATEHOUSE_ADMIN_CLIENT_SECRET: secret }, async (port) => {
    const res = await fetch(`http://127.0.0.1:${port}/t/system/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`ops-admin:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=admin',
    });
    assert.equal(res.status, 200);
  });
  assert.match(out, /Admin client id: +ops-admin/);
  assert.ok(!out.includes(secret), 'the supplied secret appears nowhere in the output');
  assert.ok(!out.includes(secret.slice(0, 20)), 'not even a prefix of it');
  assert.match(out, /\$GATEHOUSE_ADMIN_CLIENT_SECRET/);
});

test('an external database without admin credentials: no secret is generated or printed', async () => {
  const out = await start({});
  assert.match(out, /set GATEHOUSE_ADMIN_CLIENT_ID and GATEHOUSE_ADMIN_CLIENT_SECRET/);
  assert.doesNotMatch(out, /Admin client secret: +[A-Za-z0-9_-]{20,}/);
  assert.doesNotMatch(out, /curl -s -u/);
});
