import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/index.js';

const key = randomBytes(32).toString('base64');

describe('loadConfig', () => {
  test('defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-cfg-'));
    const c = loadConfig({ GATEHOUSE_DATA_DIR: dir });
    assert.equal(c.port, 3000);
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.mongodbUri, undefined);
    assert.equal(c.demoTenant, true);
    assert.equal(c.masterKeyGenerated, true);
    // The development key is generated once and reused.
    assert.equal(readFileSync(join(dir, 'master.key'), 'utf8').trim(), c.masterKey.toString('base64'));
    assert.deepEqual(loadConfig({ GATEHOUSE_DATA_DIR: dir }).masterKey, c.masterKey);
  });

  test('fault settings: defaults of seconds, not minutes', () => {
    const c = loadConfig({ GATEHOUSE_MASTER_KEY: key });
    assert.equal(c.dbTimeoutMs, 1500);
    assert.equal(c.dbStartTimeoutSeconds, 300);
    assert.equal(c.httpHeadersTimeoutMs, 10_000);
    assert.equal(c.httpRequestTimeoutMs, 30_000);
    const d = loadConfig({
      GATEHOUSE_MASTER_KEY: key,
      GATEHOUSE_DB_TIMEOUT_MS: '2500',
      GATEHOUSE_DB_START_TIMEOUT_SECONDS: '0',
      HTTP_HEADERS_TIMEOUT_MS: '5000',
      HTTP_REQUEST_TIMEOUT_MS: '8000',
    });
    assert.deepEqual([d.dbTimeoutMs, d.dbStartTimeoutSeconds, d.httpHeadersTimeoutMs, d.httpRequestTimeoutMs], [2500, 0, 5000, 8000]);
  });

  test('PUBLIC_URL follows PORT and loses its trailing slash', () => {
    assert.equal(loadConfig({ PORT: '8080', GATEHOUSE_MASTER_KEY: key }).publicUrl, 'http://localhost:8080');
    assert.equal(loadConfig({ PUBLIC_URL: 'https://id.example.com/', GATEHOUSE_MASTER_KEY: key }).publicUrl, 'https://id.example.com');
  });

  const bad: [Record<string, string>, string][] = [
    [{ GATEHOUSE_MASTER_KEY: 'short' }, 'GATEHOUSE_MASTER_KEY'],
    [{ GATEHOUSE_MASTER_KEY: randomBytes(31).toString('base64') }, 'GATEHOUSE_MASTER_KEY'],
    [{ GATEHOUSE_MASTER_KEY: 'not base64 at all, but long enough to be 32 chars' }, 'GATEHOUSE_MASTER_KEY'],
    [{ PUBLIC_URL: 'not a url', GATEHOUSE_MASTER_KEY: key }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'ftp://example.com', GATEHOUSE_MASTER_KEY: key }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://example.com/?x=1', GATEHOUSE_MASTER_KEY: key }, 'PUBLIC_URL'],
    [{ PORT: 'eighty', GATEHOUSE_MASTER_KEY: key }, 'PORT'],
    [{ PORT: '70000', GATEHOUSE_MASTER_KEY: key }, 'PORT'],
    [{ MONGODB_URI: 'http://db', GATEHOUSE_MASTER_KEY: key }, 'MONGODB_URI'],
    [{ GATEHOUSE_ADMIN_CLIENT_ID: 'only-the-id', GATEHOUSE_MASTER_KEY: key }, 'GATEHOUSE_ADMIN_CLIENT_SECRET'],
    [
      { GATEHOUSE_ADMIN_CLIENT_ID: 'admin', GATEHOUSE_ADMIN_CLIENT_SECRET: 'short', GATEHOUSE_MASTER_KEY: key },
      'GATEHOUSE_ADMIN_CLIENT_SECRET',
    ],
    [{ LOG_LEVEL: 'loud', GATEHOUSE_MASTER_KEY: key }, 'LOG_LEVEL'],
    [{ GATEHOUSE_DB_TIMEOUT_MS: '10', GATEHOUSE_MASTER_KEY: key }, 'GATEHOUSE_DB_TIMEOUT_MS'],
    [{ GATEHOUSE_DB_START_TIMEOUT_SECONDS: 'soon', GATEHOUSE_MASTER_KEY: key }, 'GATEHOUSE_DB_START_TIMEOUT_SECONDS'],
    [{ HTTP_REQUEST_TIMEOUT_MS: '5', GATEHOUSE_MASTER_KEY: key }, 'HTTP_REQUEST_TIMEOUT_MS'],
    [{ HTTP_HEADERS_TIMEOUT_MS: '40000', GATEHOUSE_MASTER_KEY: key }, 'HTTP_HEADERS_TIMEOUT_MS'],
    [{ NODE_ENV: 'production' }, 'GATEHOUSE_MASTER_KEY'],
  ];
  for (const [env, variable] of bad) {
    test(`${JSON.stringify(env).slice(0, 70)} → ConfigError naming ${variable}`, () => {
      assert.throws(
        () => loadConfig(env),
        (err: unknown) => err instanceof ConfigError && err.variable === variable && err.message.includes(variable),
      );
    });
  }
});

describe('the process refuses a bad configuration', () => {
  const cases: [Record<string, string>, string][] = [
    [{ GATEHOUSE_MASTER_KEY: 'tooshort' }, 'GATEHOUSE_MASTER_KEY'],
    [{ PUBLIC_URL: 'not-a-url' }, 'PUBLIC_URL'],
    [{ PORT: '-1' }, 'PORT'],
  ];
  for (const [env, variable] of cases) {
    test(`exits non-zero with one line naming ${variable}`, () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, GATEHOUSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gh-cfg-')), ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.notEqual(r.status, 0);
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.includes('gatehouse:'));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, new RegExp(variable));
    });
  }
});
