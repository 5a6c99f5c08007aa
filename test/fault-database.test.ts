/**
 * Issue 11 items 2, 6 and 7 on a database of its own (test/helpers/fault-db.ts): the
 * database frozen (SIGSTOP) and killed (SIGKILL, restarted on the same data) under light
 * load, with two replicas on it; a process started while it is down; declared-oversize
 * bodies and a slow body. Every answer during an outage must be a standard 503 (or an
 * answer from memory) and arrive within 3 s; afterwards everything works again without
 * a restart, and codes issued before the outage still redeem.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino, type Logger } from 'pino';
import { adminToken, createClient, createTenant, createUser, gql } from './helpers/admin.js';
import { startFaultDatabase, startGatehouseProcess, startServerOn, type FaultDatabase } from './helpers/fault-db.js';
import { issueCode, newVerifier, pkceChallenge, redeem, sleep } from './helpers/issue.js';
import type { TestServer } from './helpers/server.js';

const BUDGET_MS = 3_000;
const REDIRECT = 'https://rp.example.com/cb';
/**
 * The replicas' error lines (the newest 200): a 500 during an outage is reported with the
 * server's own account of it (the error and its stack), which a CI log otherwise lacks.
 */
const serverErrors: string[] = [];
const errorLog = (): Logger =>
  pino(
    { level: 'error', base: { service: 'gatehouse' } },
    {
      write: (line: string) => {
        serverErrors.push(line);
        if (serverErrors.length > 200) serverErrors.shift();
      },
    },
  );

/** The production default budget; replicas share the master key as real ones do. */
const env = { GATEHOUSE_DB_TIMEOUT_MS: '1500', GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64') };

interface Answer {
  what: string;
  status: number;
  headers: Headers;
  text: string;
}

/**
 * One request with a client-side deadline: an answer that does not come in time fails the
 * test (as a client would give up), so the answer itself is the assertion, not a measured time.
 */
async function call(what: string, url: string, init: RequestInit = {}, deadlineMs = 10_000): Promise<Answer> {
  try {
    const res = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(deadlineMs) });
    const text = await res.text();
    return { what, status: res.status, headers: res.headers, text };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') assert.fail(`${what}: no answer within ${deadlineMs} ms`);
    throw err;
  }
}

/** During an outage every answer (a 503 or one from memory) must come within the budget. */
const budgeted = (what: string, url: string, init?: RequestInit): Promise<Answer> => call(what, url, init, BUDGET_MS);

const json = (a: Answer): Record<string, any> => JSON.parse(a.text) as Record<string, any>;
const form = (params: Record<string, string>, auth?: [string, string]): RequestInit => ({
  method: 'POST',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    ...(auth ? { authorization: `Basic ${Buffer.from(`${auth[0]}:${auth[1]}`).toString('base64')}` } : {}),
  },
  body: new URLSearchParams(params),
});

function assertUnavailableJson(a: Answer): void {
  assert.equal(a.status, 503, `${a.what}: ${a.status} ${a.text.slice(0, 200)}`);
  assert.equal(json(a).error, 'temporarily_unavailable', a.what);
  assert.ok(Number(a.headers.get('retry-after')) > 0, `${a.what}: Retry-After`);
}

async function untilReady(url: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const r = await fetch(`${url}/readyz`).catch(() => undefined);
    if (r?.status === 200) return;
    await sleep(100);
  }
  const r = await fetch(`${url}/readyz`).then(
    async (x) => `${x.status} ${await x.text()}`,
    (e: Error) => e.message,
  );
  throw new Error(`${url} not ready within ${timeoutMs} ms: ${r}`);
}

describe('database outages', () => {
  let db: FaultDatabase;
  let a: TestServer;
  let b: TestServer;
  let client: { clientId: string; clientSecret: string };
  let userId: string;
  let authorizeUrl: string;

  before(async () => {
    db = await startFaultDatabase({ label: 'outage' });
    a = await startServerOn(db, { label: 'outage', env, log: errorLog() });
    // A replica behind the same public URL (one issuer), as in production.
    b = await startServerOn(db, { label: 'outage-b', dbName: a.dbName, env: { ...env, PUBLIC_URL: a.url }, log: errorLog() });
    await createTenant(a, 'acme');
    const c = await createClient(a, 'acme', {
      name: 'RP',
      clientType: 'CONFIDENTIAL',
      redirectUris: [REDIRECT],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    client = { clientId: c.clientId, clientSecret: c.clientSecret! };
    userId = await createUser(a, 'acme', 'alice', 'correct horse battery');
    const q = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: 'st',
      nonce: 'n',
      code_challenge: pkceChallenge(newVerifier()),
      code_challenge_method: 'S256',
    });
    authorizeUrl = `/t/acme/authorize?${q}`;
    await warmReplicas();
  });

  /**
   * Both replicas know the tenant, its keys and the client (what a busy replica has in
   * memory). Again right before an outage: a replica drops a tenant when it polls the cache
   * event of a change made just before (the set-up's), and reloads it on the next request.
   */
  async function warmReplicas(): Promise<void> {
    for (const s of [a, b]) {
      for (const p of [
        '/t/acme/.well-known/openid-configuration',
        '/t/acme/jwks',
        '/t/acme/.well-known/openid-configuration',
        '/t/acme/jwks',
        authorizeUrl,
      ]) {
        assert.ok((await call(p, `${s.url}${p}`)).status < 500);
      }
    }
  }

  after(async () => {
    db?.thaw();
    await a?.close();
    await b?.close();
    await db?.stop();
  });

  /** One round of everything a light load sends, against one replica, concurrently. */
  /** Tokens from before the outage: an access token and a refresh token. */
  async function tokensBefore(): Promise<{ access: string; refresh: string; other: string; spare: string }> {
    const mine = await tokenPair();
    // Revoked during the outage (a write, so 503): a grant of its own, not the one used above.
    const other = (await tokenPair()).refresh;
    // Not presented during the outage: must refresh after it.
    const spare = (await tokenPair()).refresh;
    return { ...mine, other, spare };
  }

  async function tokenPair(): Promise<{ access: string; refresh: string }> {
    const c = await issueCode(a, 'acme', { clientId: client.clientId, userId, scopes: ['openid', 'offline_access'], offlineAccess: true });
    const t = await redeem(a, 'acme', c, [client.clientId, client.clientSecret]);
    assert.equal(t.status, 200, JSON.stringify(t.body));
    assert.ok(t.body.refresh_token, 'a refresh token');
    return { access: t.body.access_token as string, refresh: t.body.refresh_token as string };
  }

  async function outageRound(
    s: TestServer,
    code: string,
    verifier: string,
    admin: string,
    tokens: { access: string; refresh: string; other: string },
  ): Promise<Answer[]> {
    const auth: [string, string] = [client.clientId, client.clientSecret];
    return Promise.all([
      budgeted(
        'token (code)',
        `${s.url}/t/acme/token`,
        form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, auth),
      ),
      budgeted('token (refresh)', `${s.url}/t/acme/token`, form({ grant_type: 'refresh_token', refresh_token: tokens.refresh }, auth)),
      budgeted('revoke', `${s.url}/t/acme/revoke`, form({ token: tokens.other }, auth)),
      budgeted('introspect', `${s.url}/t/acme/introspect`, form({ token: tokens.access }, auth)),
      budgeted(`userinfo ${s === a ? 'a' : 'b'}`, `${s.url}/t/acme/userinfo`, { headers: { authorization: `Bearer ${tokens.access}` } }),
      budgeted('userinfo (garbage)', `${s.url}/t/acme/userinfo`, { headers: { authorization: 'Bearer garbage-token' } }),
      budgeted('discovery', `${s.url}/t/acme/.well-known/openid-configuration`),
      budgeted('jwks', `${s.url}/t/acme/jwks`),
      budgeted('unknown tenant', `${s.url}/t/not-loaded-yet/.well-known/openid-configuration`),
      budgeted('unknown tenant authorize', `${s.url}/t/not-loaded-yet/authorize?client_id=x`),
      budgeted('authorize', `${s.url}${authorizeUrl}`),
      budgeted('graphql', `${s.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ query: '{ tenants { edges { node { slug } } } }' }),
      }),
      budgeted('healthz', `${s.url}/healthz`),
      budgeted('readyz', `${s.url}/readyz`),
    ]);
  }

  function checkOutageAnswers(answers: Answer[]): void {
    for (const x of answers) {
      if (x.status === 500) {
        const explained = serverErrors.filter((line) => line.includes('"err"')).slice(-3);
        assert.fail(`${x.what}: 500 ${x.text.slice(0, 200)}\nthe servers' last errors:\n${explained.join('')}`);
      }
    }
    const by = new Map(answers.map((x) => [x.what, x]));
    for (const what of ['token (code)', 'token (refresh)', 'revoke', 'unknown tenant']) assertUnavailableJson(by.get(what)!);
    // Answered from memory where possible, else 503; never anything else.
    const introspect = by.get('introspect')!;
    if (introspect.status !== 503) assert.equal(introspect.status, 200, introspect.text);
    const info = answers.find((x) => x.what.startsWith('userinfo '))!;
    if (info.status !== 503) assert.equal(info.status, 200, `${info.what} ${info.text}`);
    else assertUnavailableJson(info);
    // A garbage bearer token needs no database to be refused.
    assert.ok([401, 503].includes(by.get('userinfo (garbage)')!.status));
    assert.equal(by.get('discovery')!.status, 200);
    assert.equal(by.get('jwks')!.status, 200);
    assert.ok(JSON.parse(by.get('jwks')!.text).keys.length > 0);
    // The client was in memory: its redirect URI is trusted, so the error goes back to it.
    const authz = by.get('authorize')!;
    assert.ok([302, 303].includes(authz.status), `authorize: ${authz.status} ${authz.text.slice(0, 200)}`);
    const location = new URL(authz.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
    assert.equal(location.searchParams.get('error'), 'temporarily_unavailable');
    assert.equal(location.searchParams.get('state'), 'st');
    // No trusted redirect URI: a page.
    const page = by.get('unknown tenant authorize')!;
    assert.equal(page.status, 503);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const g = by.get('graphql')!;
    assert.equal(g.status, 503, g.text.slice(0, 300));
    assert.equal(json(g).errors[0].extensions.code, 'SERVICE_UNAVAILABLE');
    assert.equal(by.get('healthz')!.status, 200);
    assert.equal(by.get('readyz')!.status, 503);
  }

  test('frozen database: standard 503s within the budget on both replicas, memory keeps answering, recovery after thaw', async () => {
    const admin = await adminToken(a);
    // Presented during the outage (a frozen database may still carry out those writes when it
    // resumes, so they are not redeemed afterwards; docs/operations.md).
    const during1 = await issueCode(a, 'acme', { clientId: client.clientId, userId });
    const during2 = await issueCode(a, 'acme', { clientId: client.clientId, userId });
    // Issued before the outage, redeemed after it.
    const before1 = await issueCode(a, 'acme', { clientId: client.clientId, userId });
    const before2 = await issueCode(a, 'acme', { clientId: client.clientId, userId });
    const tokens = await tokensBefore();
    // The other replica accepts it too (same issuer), before the outage.
    const pre = await call('userinfo b before', `${b.url}/t/acme/userinfo`, { headers: { authorization: `Bearer ${tokens.access}` } });
    assert.equal(pre.status, 200, pre.text);
    await warmReplicas();

    db.freeze();
    try {
      // Light load: two rounds against each replica, the second while the first is still failing.
      const rounds = await Promise.all([
        outageRound(a, during1.code, during1.verifier, admin, tokens),
        outageRound(b, during2.code, during2.verifier, admin, tokens),
      ]);
      await sleep(200); // a moment later, the first round's failures behind it
      rounds.push(await outageRound(b, during2.code, during2.verifier, admin, tokens));
      for (const r of rounds) checkOutageAnswers(r);
    } finally {
      db.thaw();
    }

    await untilReady(a.url);
    await untilReady(b.url);
    // Codes issued before the outage redeem after it, on either replica.
    const t1 = await redeem(b, 'acme', before1, [client.clientId, client.clientSecret]);
    assert.equal(t1.status, 200, JSON.stringify(t1.body));
    const t2 = await redeem(a, 'acme', before2, [client.clientId, client.clientSecret]);
    assert.equal(t2.status, 200, JSON.stringify(t2.body));
    // So do refresh tokens issued before it.
    const r = await call(
      'refresh',
      `${b.url}/t/acme/token`,
      form({ grant_type: 'refresh_token', refresh_token: tokens.spare }, [client.clientId, client.clientSecret]),
    );
    assert.equal(r.status, 200, r.text);
    const g = await gql(a, '{ tenants { edges { node { slug } } } }', {}, admin);
    assert.equal(g.status, 200);
    assert.ok(g.data?.tenants.edges.some((e: { node: { slug: string } }) => e.node.slug === 'acme'));
  });

  // The mongodb driver's server monitor of the existing connection sometimes stayed stuck
  // after this sequence (> 90 s of 503 while a fresh client connected at once); the store
  // now rebuilds the connection (src/store/reconnect.ts). It did not happen every time,
  // hence two rounds.
  test('frozen, thawed, then killed and restarted (twice): both replicas serve again within 15 s of each restart', async () => {
    await untilReady(a.url);
    await untilReady(b.url);
    const admin = await adminToken(a);
    for (let round = 1; round <= 2; round++) {
      const codes = await Promise.all([1, 2, 3].map(() => issueCode(a, 'acme', { clientId: client.clientId, userId })));
      const tokens = await tokensBefore();

      db.freeze();
      try {
        await Promise.all([
          outageRound(a, codes[0]!.code, codes[0]!.verifier, admin, tokens),
          outageRound(b, codes[1]!.code, codes[1]!.verifier, admin, tokens),
        ]);
        await sleep(200);
        await outageRound(b, codes[1]!.code, codes[1]!.verifier, admin, tokens);
      } finally {
        db.thaw();
      }
      await untilReady(a.url);
      await untilReady(b.url);

      await db.kill();
      try {
        await outageRound(a, codes[2]!.code, codes[2]!.verifier, admin, tokens);
        await sleep(200);
        await outageRound(b, codes[2]!.code, codes[2]!.verifier, admin, tokens);
      } finally {
        await db.restart();
      }
      await untilReady(a.url, 15_000);
      await untilReady(b.url, 15_000);
      for (const s of [a, b]) {
        const r = await call(
          'client credentials',
          `${s.url}/t/acme/token`,
          form({ grant_type: 'client_credentials' }, [client.clientId, client.clientSecret]),
        );
        assert.equal(r.status, 200, `round ${round}: ${r.text}`);
        // A tenant nobody loaded: a fresh read, not memory (404, no longer 503). A slug of its
        // own: an unknown slug is remembered as unknown for a while, and the outage rounds of
        // the other tests need `not-loaded-yet` never to have been looked up.
        const d = await call('unloaded tenant', `${s.url}/t/never-loaded-${round}/.well-known/openid-configuration`);
        assert.equal(d.status, 404, `round ${round}: ${d.text}`);
      }
    }
  });

  test('killed database: 503s within the budget, then recovery after a restart on the same data', async () => {
    await untilReady(a.url);
    await untilReady(b.url);
    const admin = await adminToken(a);
    const code = await issueCode(a, 'acme', { clientId: client.clientId, userId });
    const tokens = await tokensBefore();
    await warmReplicas();

    await db.kill();
    try {
      checkOutageAnswers(await outageRound(a, code.code, code.verifier, admin, tokens));
      await sleep(200);
      checkOutageAnswers(await outageRound(b, code.code, code.verifier, admin, tokens));
    } finally {
      await db.restart();
    }

    // Within 15 s, also right after the frozen-and-thawed test above (this order once left
    // the driver's monitor stuck; src/store/reconnect.ts).
    await untilReady(a.url, 15_000);
    await untilReady(b.url, 15_000);
    const t = await redeem(b, 'acme', code, [client.clientId, client.clientSecret]);
    assert.equal(t.status, 200, JSON.stringify(t.body));
    const ok = await call('discovery', `${b.url}/t/acme/.well-known/openid-configuration`);
    assert.equal(ok.status, 200);
  });

  test('a process started while the database is down listens, waits and serves once it is back (demo tenant on a missing data dir)', async () => {
    await db.kill();
    const dataDir = join(mkdtempSync(join(tmpdir(), 'gh-start-')), 'does', 'not', 'exist');
    let proc: Awaited<ReturnType<typeof startGatehouseProcess>> | undefined;
    try {
      proc = await startGatehouseProcess({
        mongodbUri: db.uri,
        env: { ...env, GATEHOUSE_DEMO_TENANT: 'true', GATEHOUSE_DATA_DIR: dataDir },
      });
      assert.equal((await call('healthz', `${proc.url}/healthz`)).status, 200);
      assert.equal((await call('readyz', `${proc.url}/readyz`)).status, 503);
      assertUnavailableJson(await call('token', `${proc.url}/t/system/token`, form({ grant_type: 'client_credentials' })));
      await proc.waitForOutput(/database unreachable at start/);
    } catch (err) {
      proc?.kill('SIGKILL');
      throw err;
    } finally {
      await db.restart();
    }
    try {
      await untilReady(proc.url, 30_000);
      await proc.waitForOutput(/Demo client: +\S+ \/ \S+/);
      const d = await call('demo discovery', `${proc.url}/t/demo/.well-known/openid-configuration`);
      assert.equal(d.status, 200);
      proc.kill('SIGTERM');
      assert.equal((await proc.exited).code, 0);
    } finally {
      // A failed assertion must not leave the process running: its pipes would keep this test file from ending.
      proc.kill('SIGKILL');
    }
  });
});

describe('input limits', () => {
  let db: FaultDatabase;
  let s: TestServer;
  before(async () => {
    db = await startFaultDatabase({ label: 'limits' });
    s = await startServerOn(db, { label: 'limits', env: { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' } });
    await createTenant(s, 'acme');
  });
  after(async () => {
    await s?.close();
    await db?.stop();
  });

  /**
   * Sends raw bytes, returns what came back and whether the server closed the connection
   * before the client gave up (after 5 s, well past HTTP_REQUEST_TIMEOUT_MS).
   */
  function raw(request: string): Promise<{ response: string; closedByServer: boolean }> {
    const port = Number(new URL(s.url).port);
    return new Promise((resolve) => {
      const sock = connect(port, '127.0.0.1');
      let response = '';
      let gaveUp = false;
      const timer = setTimeout(() => {
        gaveUp = true;
        sock.destroy();
      }, 5_000);
      sock.on('data', (d) => (response += d.toString()));
      sock.on('close', () => {
        clearTimeout(timer);
        resolve({ response, closedByServer: !gaveUp });
      });
      sock.on('error', () => undefined);
      sock.write(request);
    });
  }

  for (const [path, type] of [
    ['/t/acme/token', 'application/x-www-form-urlencoded'],
    ['/graphql', 'application/json'],
    ['/t/acme/authorize', 'application/x-www-form-urlencoded'],
    ['/t/acme/interaction/abc/login', 'application/x-www-form-urlencoded'],
    ['/t/acme/register', 'application/json'],
  ] as const) {
    test(`a declared Content-Length over the limit is refused at once with 413: ${path}`, async () => {
      const r = await raw(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: 999999999\r\n\r\nab`);
      // 413 before the body: a server that waited for the body would cut it off with 408 instead.
      assert.match(r.response, /^HTTP\/1\.1 413 /, r.response.slice(0, 200));
      assert.ok(r.closedByServer, 'the server closed the connection');
      assert.match(r.response, /"error":"invalid_request"/);
    });
  }

  test('a body trickling slower than HTTP_REQUEST_TIMEOUT_MS is cut off with 408', async () => {
    const r = await raw(
      `POST /t/acme/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=`,
    );
    assert.ok(r.closedByServer, 'cut off by the server, not left open until the client gave up');
    assert.ok(r.response === '' || /^HTTP\/1\.1 408 /.test(r.response), r.response.slice(0, 200));
  });
});
