/**
 * Issue 12 finding 2 (SSRF): every server-side request goes through one outbound policy.
 * The server here runs WITHOUT the development loopback switch, like production. A TCP
 * listener on 127.0.0.1 counts connections: whatever a fetcher was aimed at, it must
 * receive none. Names are pointed at internal addresses with the module's resolver hook
 * (no external DNS here).
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { loadConfig, ConfigError } from '../src/config/index.js';
import { notifyBackChannel } from '../src/oidc/end-session/back-channel.js';
import {
  checkOutboundUrl,
  OutboundError,
  outboundFetch,
  outboundSettings,
  parseAllowList,
  setOutboundResolver,
  specialRange,
  useOutboundSettings,
  type OutboundSettings,
} from '../src/outbound/index.js';
import { adminToken, createClient, createTenant, createUser, gql, gqlOk } from './helpers/admin.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { waitFor } from './helpers/extensions.js';

const T = 'ssrf';
let srv: TestServer;
let token: string;
let listener: Server;
let port: number;
let connections = 0;

/** Forbidden addresses, one or more per range; names below resolve to each of them. */
const FORBIDDEN: Record<string, string> = {
  loopback4: '127.0.0.1',
  loopback4b: '127.255.0.9',
  loopback6: '::1',
  mapped4: '::ffff:127.0.0.1',
  mapped10: '::ffff:10.1.2.3',
  nat64: '64:ff9b::a9fe:a9fe',
  sixtofour: '2002:7f00:1::1',
  private10: '10.0.0.1',
  private172: '172.16.5.4',
  private192: '192.168.1.1',
  linklocal4: '169.254.169.254',
  linklocal6: 'fe80::1',
  cgnat: '100.64.0.1',
  multicast4: '224.0.0.1',
  multicast6: 'ff02::1',
  unspecified4: '0.0.0.0',
  unspecified6: '::',
  broadcast: '255.255.255.255',
  reserved: '240.0.0.1',
  ula: 'fd00::1',
  ula2: 'fc00::5',
  documentation: '192.0.2.10',
  benchmarking: '198.18.0.1',
};
const name = (key: string) => `${key.toLowerCase()}.attacker.test`;
/** Resolves to a public address first and to loopback second: one bad address is enough. */
const MIXED = 'mixed.attacker.test';

before(async () => {
  listener = createServer((sock) => {
    connections++;
    sock.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as AddressInfo).port;
  srv = await startTestServer({ label: 'ssrf', env: { GATEHOUSE_OUTBOUND_ALLOW_LOOPBACK: 'false' } });
  token = await adminToken(srv);
  await createTenant(srv, T, 'SSRF Co', {
    scopes: [{ name: 'org', displayName: 'Organisation', description: 'Your plan.', claims: ['plan'] }],
  });
  setOutboundResolver(async (host) => {
    if (host === MIXED)
      return [
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ];
    const key = Object.keys(FORBIDDEN).find((k) => name(k) === host);
    if (!key) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    const address = FORBIDDEN[key]!;
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  });
});

after(async () => {
  setOutboundResolver();
  await srv?.close();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

async function refusedCode(url: string, init: Parameters<typeof outboundFetch>[1] = { purpose: 'test' }): Promise<string> {
  try {
    await outboundFetch(url, init);
  } catch (err) {
    assert.ok(err instanceof OutboundError, String(err));
    return err.code;
  }
  assert.fail(`${url} was fetched`);
}

describe('the address table', () => {
  test('every forbidden literal is in a special-purpose range; public addresses are not', () => {
    for (const [key, ip] of Object.entries(FORBIDDEN)) assert.ok(specialRange(ip), `${key} ${ip}`);
    for (const ip of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '172.32.0.1', '100.128.0.1', '11.0.0.1'])
      assert.equal(specialRange(ip), null, ip);
  });
});

describe('configuration-time check (checkOutboundUrl)', () => {
  test('https only; internal literals in every spelling, localhost names and credentials are refused', () => {
    const refused = [
      'http://hooks.example.com/x',
      'ftp://hooks.example.com/x',
      'https://user:pw@hooks.example.com/x',
      'https://localhost/x',
      'https://api.localhost/x',
      'https://2130706433/x', // 127.0.0.1 as one number
      'https://0x7f.1/x',
      'https://[::ffff:7f00:1]/x',
      'https://intranet/x', // a single label resolves through internal search domains
      ...Object.values(FORBIDDEN).map((ip) => `https://${ip.includes(':') ? `[${ip}]` : ip}/x`),
    ];
    for (const url of refused)
      assert.throws(
        () => checkOutboundUrl(url, 'test'),
        (e: unknown) => e instanceof OutboundError && e.code === 'ERR_OUTBOUND_FORBIDDEN',
        url,
      );
    assert.equal(checkOutboundUrl('https://hooks.example.com/x', 'test').hostname, 'hooks.example.com');
  });
});

describe('connect-time check: names that resolve inside are refused before any connection', () => {
  test('outboundFetch refuses each forbidden range behind a name, v4, v6 and IPv4-mapped', async () => {
    for (const key of Object.keys(FORBIDDEN))
      assert.equal(await refusedCode(`https://${name(key)}:${port}/x`), 'ERR_OUTBOUND_FORBIDDEN', key);
    assert.equal(await refusedCode(`https://${MIXED}:${port}/x`), 'ERR_OUTBOUND_FORBIDDEN');
    assert.equal(await refusedCode(`https://127.0.0.1:${port}/x`), 'ERR_OUTBOUND_FORBIDDEN');
    assert.equal(await refusedCode(`https://[::ffff:127.0.0.1]:${port}/x`), 'ERR_OUTBOUND_FORBIDDEN');
    assert.equal(await refusedCode(`http://127.0.0.1:${port}/x`), 'ERR_OUTBOUND_FORBIDDEN');
    assert.equal(connections, 0);
  });

  test('jwks_uri: a client assertion never makes the provider fetch internal keys', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const c = await createClient(srv, T, {
      name: 'keys inside',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      responseTypes: [],
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwksUri: `https://${name('loopback4')}:${port}/jwks`,
    });
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ jti: `j${now}` })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(c.clientId)
      .setSubject(c.clientId)
      .setAudience(srv.issuer(T))
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey);
    const res = await fetch(`${srv.issuer(T)}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
    assert.equal(connections, 0);
  });

  test('claim resolver webhook: previewClaims reports the refusal and sends nothing', async () => {
    const r = await gql(
      srv,
      `mutation($t: String!, $i: ClaimResolverInput!) { setClaimResolver(tenant: $t, input: $i) { name } }`,
      { t: T, i: { name: 'plan', kind: 'WEBHOOK', targets: ['ID_TOKEN'], webhook: { url: `https://${name('mapped4')}:${port}/claims` } } },
      token,
    );
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const web = await createClient(srv, T, {
      name: 'web',
      clientType: 'CONFIDENTIAL',
      redirectUris: ['https://rp.example.com/cb'],
      scopes: ['openid', 'profile', 'org'],
    });
    const userId = await createUser(srv, T, 'victim', 'a long password 123', { name: 'Vic Tim' });
    const p = await gqlOk(
      srv,
      `query($t: String!, $u: ID!, $c: String!, $s: [String!]!) { previewClaims(tenant: $t, userId: $u, clientId: $c, scopes: $s) { failures { claim reason } } }`,
      { t: T, u: userId, c: web.clientId, s: ['openid', 'org'] },
      token,
    );
    assert.deepEqual(p.previewClaims.failures, [{ claim: 'plan', reason: 'forbidden' }]);
    assert.equal(connections, 0);
  });

  test('event webhook: the delivery fails with the policy refusal and nothing is sent', async () => {
    await gqlOk(
      srv,
      `mutation($t: String!, $i: EventWebhookInput!) { setEventWebhook(tenant: $t, input: $i) { secret } }`,
      { t: T, i: { name: 'siem', url: `https://${name('linklocal4')}:${port}/latest/meta-data/`, eventTypes: ['CLIENT_CHANGED'] } },
      token,
    );
    await createClient(srv, T, {
      name: 'triggers an event',
      clientType: 'CONFIDENTIAL',
      grantTypes: ['client_credentials'],
      responseTypes: [],
    });
    const attempt = await waitFor(
      async () => {
        const d = await gqlOk(
          srv,
          `query($t: String!) { eventDeliveries(tenant: $t, webhook: "siem", first: 10) { edges { node { attemptLog { statusCode error } } } } }`,
          { t: T },
          token,
        );
        return d.eventDeliveries.edges.flatMap((e: { node: { attemptLog: unknown[] } }) => e.node.attemptLog)[0] as
          { statusCode: number | null; error: string } | undefined;
      },
      10_000,
      'a delivery attempt',
    );
    assert.equal(attempt.statusCode, null);
    assert.match(attempt.error, /internal address/);
    assert.equal(connections, 0);
  });

  test('back-channel logout: the logout token is not posted to an internal address', async () => {
    const c = await createClient(srv, T, {
      name: 'bc',
      clientType: 'CONFIDENTIAL',
      redirectUris: ['https://rp.example.com/cb'],
      backchannelLogoutUri: `https://${name('loopback6')}:${port}/bc`,
    });
    const tenant = (await srv.rt.tenants.get(T))!;
    const client = (await tenant.store.clients.findByClientId(c.clientId))!;
    const userId = await createUser(srv, T, 'bc-user', 'a long password 123');
    const user = (await srv.rt.users.find(tenant, userId))!;
    await notifyBackChannel(srv.rt, tenant, { sid: 'sid-1', user }, [client], srv.rt.log);
    assert.equal(connections, 0);
  });
});

describe('configuration refuses internal and http URLs (BAD_USER_INPUT)', () => {
  const bad = async (query: string, vars: Record<string, unknown>) => {
    const r = await gql(srv, query, vars, token);
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `${JSON.stringify(vars)} → ${JSON.stringify(r.errors ?? r.data)}`);
  };
  test('setClaimResolver, setEventWebhook, setHook, createClient jwksUri and backchannelLogoutUri', async () => {
    await bad(`mutation($t: String!, $i: ClaimResolverInput!) { setClaimResolver(tenant: $t, input: $i) { name } }`, {
      t: T,
      i: { name: 'x', kind: 'WEBHOOK', targets: ['ID_TOKEN'], webhook: { url: `http://127.0.0.1:${port}/claims` } },
    });
    await bad(`mutation($t: String!, $i: EventWebhookInput!) { setEventWebhook(tenant: $t, input: $i) { secret } }`, {
      t: T,
      i: { name: 'meta', url: 'https://169.254.169.254/latest/meta-data/' },
    });
    await bad(`mutation($t: String!, $i: HookInput!) { setHook(tenant: $t, input: $i) { point } }`, {
      t: T,
      i: { point: 'AFTER_LOGIN', kind: 'WEBHOOK', webhook: { url: `https://127.0.0.1:${port}/hook` } },
    });
    await bad(`mutation($t: String!, $i: HookInput!) { setHook(tenant: $t, input: $i) { point } }`, {
      t: T,
      i: { point: 'AFTER_LOGIN', kind: 'WEBHOOK', webhook: { url: `https://localhost:${port}/hook` } },
    });
    const create = `mutation($t: String!, $i: CreateClientInput!) { createClient(tenant: $t, input: $i) { clientSecret } }`;
    await bad(create, {
      t: T,
      i: {
        name: 'x',
        clientType: 'CONFIDENTIAL',
        redirectUris: ['https://rp.example.com/cb'],
        backchannelLogoutUri: 'http://rp.example.com/bc',
      },
    });
    await bad(create, {
      t: T,
      i: {
        name: 'x',
        clientType: 'CONFIDENTIAL',
        redirectUris: ['https://rp.example.com/cb'],
        backchannelLogoutUri: 'https://10.0.0.5/bc',
      },
    });
    await bad(create, {
      t: T,
      i: {
        name: 'x',
        clientType: 'CONFIDENTIAL',
        grantTypes: ['client_credentials'],
        responseTypes: [],
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwksUri: 'https://[::ffff:127.0.0.1]/jwks',
      },
    });
    await bad(create, {
      t: T,
      i: {
        name: 'x',
        clientType: 'CONFIDENTIAL',
        grantTypes: ['client_credentials'],
        responseTypes: [],
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwksUri: 'http://127.0.0.1/jwks',
      },
    });
    assert.equal(connections, 0);
  });
});

describe('policy details (settings swapped in for one test each)', () => {
  async function withSettings(patch: Partial<OutboundSettings>, run: () => Promise<void>): Promise<void> {
    const saved = outboundSettings();
    useOutboundSettings({ ...saved, ...patch });
    try {
      await run();
    } finally {
      useOutboundSettings(saved);
    }
  }

  test('the operator allow-list opens exactly the listed hosts and CIDRs', async () => {
    await withSettings({ allow: parseAllowList(`${name('loopback4')}, 10.0.0.0/8`) }, async () => {
      // Allowed: the connection is made (a plain TCP listener, so TLS then fails).
      assert.equal(await refusedCode(`https://${name('loopback4')}:${port}/x`), 'ERR_OUTBOUND_NETWORK');
      assert.equal(connections, 1);
      assert.equal(checkOutboundUrl('https://10.1.2.3/x', 'test').hostname, '10.1.2.3');
      // Not listed: still refused; http is never opened by the allow-list.
      assert.equal(await refusedCode(`https://${name('loopback4b')}:${port}/x`), 'ERR_OUTBOUND_FORBIDDEN');
      assert.equal(await refusedCode(`http://${name('loopback4')}:${port}/x`), 'ERR_OUTBOUND_FORBIDDEN');
    });
    connections = 0;
  });

  test('redirects: refused by default; followed hop by hop with the same checks; size and time bounds', async () => {
    const http = createHttpServer((req, res) => {
      if (req.url === '/to-private') return res.writeHead(302, { location: 'http://10.0.0.1/' }).end();
      if (req.url === '/to-name') return res.writeHead(307, { location: `https://${name('private10')}/` }).end();
      if (req.url === '/hop') return res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/big') return res.writeHead(200).end(Buffer.alloc(4096));
      if (req.url === '/hang') return; // never answers
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    try {
      await withSettings({ allowLoopback: true }, async () => {
        assert.equal(await refusedCode(`${base}/hop`), 'ERR_OUTBOUND_REDIRECT');
        const ok = await outboundFetch(`${base}/hop`, { purpose: 'test', redirect: 'follow' });
        assert.equal(ok.status, 200);
        assert.equal(ok.body.toString(), 'ok');
        assert.equal(ok.url, `${base}/ok`);
        assert.equal(await refusedCode(`${base}/to-private`, { purpose: 'test', redirect: 'follow' }), 'ERR_OUTBOUND_FORBIDDEN');
        assert.equal(await refusedCode(`${base}/to-name`, { purpose: 'test', redirect: 'follow' }), 'ERR_OUTBOUND_FORBIDDEN');
        assert.equal(await refusedCode(`${base}/big`, { purpose: 'test', maxBytes: 1024 }), 'ERR_OUTBOUND_TOO_LARGE');
        assert.equal(await refusedCode(`${base}/hang`, { purpose: 'test', timeoutMs: 300 }), 'ERR_OUTBOUND_TIMEOUT');
        // The development switch opens loopback only: other internal addresses stay closed.
        assert.equal(await refusedCode(`https://${name('private10')}/x`), 'ERR_OUTBOUND_FORBIDDEN');
      });
    } finally {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });

  test('settings: the loopback switch is refused outside development; a bad allow-list entry names the variable', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    for (const NODE_ENV of ['production', 'staging']) {
      assert.throws(
        () => loadConfig({ NODE_ENV, GATEHOUSE_MASTER_KEY: key, GATEHOUSE_OUTBOUND_ALLOW_LOOPBACK: 'true' }),
        (e: unknown) => e instanceof ConfigError && e.variable === 'GATEHOUSE_OUTBOUND_ALLOW_LOOPBACK',
      );
    }
    assert.equal(
      loadConfig({ NODE_ENV: 'development', GATEHOUSE_MASTER_KEY: key, GATEHOUSE_OUTBOUND_ALLOW_LOOPBACK: 'true' }).outbound.allowLoopback,
      true,
    );
    assert.throws(
      () => loadConfig({ GATEHOUSE_MASTER_KEY: key, GATEHOUSE_OUTBOUND_ALLOW: 'hooks.example.com, 10.0.0.0/33' }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'GATEHOUSE_OUTBOUND_ALLOW',
    );
    assert.throws(
      () => loadConfig({ GATEHOUSE_MASTER_KEY: key, GATEHOUSE_OUTBOUND_ALLOW: 'http://x/' }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'GATEHOUSE_OUTBOUND_ALLOW',
    );
    const c = loadConfig({
      GATEHOUSE_MASTER_KEY: key,
      GATEHOUSE_OUTBOUND_ALLOW: 'hooks.internal.example, *.corp.example, 10.1.2.0/24, fd00:1::/64',
    });
    assert.deepEqual(c.outbound.allow.entries, ['hooks.internal.example', '*.corp.example', '10.1.2.0/24', 'fd00:1::/64']);
    assert.equal(c.outbound.allowLoopback, false);
  });
});
