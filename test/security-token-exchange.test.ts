import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SignJWT } from 'jose';
import { parse } from 'yaml';
import { runScript } from './helpers/run-script.js';
import { clientCredentials, createClient, createTenant, createUser, gqlOk } from './helpers/admin.js';
import { decodePayload, issueCode, redeem, tokenRequest } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * Issue 12 finding 3: forged delegation through token exchange, and the exchange policy
 * (docs/security.md "Token exchange policy").
 */
const TE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const AT = 'urn:ietf:params:oauth:token-type:access_token';
const IDT = 'urn:ietf:params:oauth:token-type:id_token';
const T = 'acme';

let srv: TestServer;
let alice: string;
let evil: [string, string];
let web: [string, string];
let other: [string, string];
let orders: [string, string];

before(async () => {
  srv = await startTestServer({ label: 'sec-exchange' });
  await createTenant(srv, T, 'Acme', { settings: { allowedAudiences: ['orders-service'] } });
  alice = await createUser(srv, T, 'alice', 'correct horse battery', { name: 'Alice' });
  const mk = async (input: Record<string, unknown>): Promise<[string, string]> => {
    const c = await createClient(srv, T, input);
    return [c.clientId, c.clientSecret!];
  };
  const cb = ['https://rp.example.com/cb'];
  // HS256 ID tokens: the provider keeps a copy of the secret, which the client knows too.
  evil = await mk({
    name: 'evil',
    clientType: 'CONFIDENTIAL',
    redirectUris: cb,
    grantTypes: ['authorization_code', 'client_credentials', TE],
    scopes: ['openid', 'api:read'],
    idTokenSignedResponseAlg: 'HS256',
  });
  web = await mk({ name: 'web', clientType: 'CONFIDENTIAL', redirectUris: cb, grantTypes: ['authorization_code', TE] });
  other = await mk({ name: 'other', clientType: 'CONFIDENTIAL', grantTypes: [TE], responseTypes: [], scopes: ['openid', 'profile'] });
  orders = await mk({
    clientId: 'orders-service',
    name: 'orders',
    clientType: 'CONFIDENTIAL',
    grantTypes: [TE],
    responseTypes: [],
    scopes: ['openid', 'profile'],
  });
});
after(() => srv.close());

const exchange = (client: [string, string], params: Record<string, string>) => tokenRequest(srv, T, { grant_type: TE, ...params }, client);

async function userTokens(client: [string, string], scopes = ['openid', 'profile']): Promise<Record<string, any>> {
  const c = await issueCode(srv, T, { clientId: client[0], userId: alice, scopes });
  const r = await redeem(srv, T, c, client);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** The attack: an "ID token" the client signs itself with its own secret. */
async function forgedIdToken(clientId: string, secret: string, sub: string, sid = 'made-up'): Promise<string> {
  return new SignJWT({ sid })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(srv.issuer(T))
    .setAudience(clientId)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));
}

test('a self-minted HS256 ID token is refused as actor_token and as subject_token', async () => {
  const own = ((await (await clientCredentials(srv, T, evil[0], evil[1], { scope: 'api:read' })).json()) as { access_token: string })
    .access_token;
  const forged = await forgedIdToken(evil[0], evil[1], 'any-user');
  const asActor = await exchange(evil, { subject_token: own, subject_token_type: AT, actor_token: forged, actor_token_type: IDT });
  assert.equal(asActor.status, 400);
  assert.equal(asActor.body.error, 'invalid_request');
  assert.equal(asActor.body.access_token, undefined);
  const asSubject = await exchange(evil, { subject_token: forged, subject_token_type: IDT });
  assert.equal(asSubject.status, 400);
  assert.equal(asSubject.body.error, 'invalid_request');
  // Even an HS256 ID token the provider really issued is not a credential here: it cannot be told from a forged one.
  const real = await userTokens(evil);
  const realHs = await exchange(evil, { subject_token: real.id_token, subject_token_type: IDT });
  assert.equal(realHs.body.error, 'invalid_request');
});

test('a provider-signed ID token works as actor only while its session grant is live', async () => {
  const tokens = await userTokens(web);
  const subject = await userTokens(web);
  const ok = await exchange(web, {
    subject_token: subject.access_token,
    subject_token_type: AT,
    actor_token: tokens.id_token,
    actor_token_type: IDT,
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(decodePayload(ok.body.access_token).act.sub, decodePayload(tokens.id_token).sub);
  await gqlOk(srv, `mutation($t: String!, $u: ID!, $c: String!) { revokeConsent(tenant: $t, userId: $u, clientId: $c) }`, {
    t: T,
    u: alice,
    c: web[0],
  });
  const fresh = await userTokens(web);
  const dead = await exchange(web, {
    subject_token: fresh.access_token,
    subject_token_type: AT,
    actor_token: tokens.id_token,
    actor_token_type: IDT,
  });
  assert.equal(dead.status, 400);
  assert.equal(dead.body.error, 'invalid_request');
});

test("another client cannot turn a user's token into one for itself unless the token's client allows it", async () => {
  const subject = await userTokens(web);
  const refused = await exchange(other, { subject_token: subject.access_token, subject_token_type: AT });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error, 'invalid_request');
  assert.equal(refused.body.access_token, undefined);

  const data = await gqlOk<{ updateClient: { tokenExchangeClients: string[] } }>(
    srv,
    `mutation($t: String!, $c: String!, $i: UpdateClientInput!) { updateClient(tenant: $t, clientId: $c, input: $i) { tokenExchangeClients } }`,
    { t: T, c: web[0], i: { tokenExchangeClients: [other[0]] } },
  );
  assert.deepEqual(data.updateClient.tokenExchangeClients, [other[0]]);
  const allowed = await exchange(other, { subject_token: subject.access_token, subject_token_type: AT });
  assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
  assert.equal(decodePayload(allowed.body.access_token).client_id, other[0]);
  await gqlOk(
    srv,
    `mutation($t: String!, $c: String!) { updateClient(tenant: $t, clientId: $c, input: { tokenExchangeClients: null }) { clientId } }`,
    { t: T, c: web[0] },
  );
});

test('a client named in the audience of a token may exchange it', async () => {
  const subject = await userTokens(web);
  // web exchanges its own token for one addressed to orders-service …
  const forOrders = await exchange(web, { subject_token: subject.access_token, subject_token_type: AT, audience: 'orders-service' });
  assert.equal(forOrders.status, 200, JSON.stringify(forOrders.body));
  // … which orders-service may exchange (it is the audience); "other" may not.
  assert.equal((await exchange(orders, { subject_token: forOrders.body.access_token, subject_token_type: AT })).status, 200);
  assert.equal(
    (await exchange(other, { subject_token: forOrders.body.access_token, subject_token_type: AT })).body.error,
    'invalid_request',
  );
});

test('tenant files carry the policies: applied, idempotent, exported', async () => {
  const dir = join('test-output', `sec-exchange-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'tx.yaml');
  writeFileSync(
    file,
    `slug: sec-tx
displayName: Exchange policy
clients:
  - clientId: tx-web
    name: Web
    clientType: CONFIDENTIAL
    redirectUris: [https://tx.example/cb]
    tokenExchangeClients: [tx-gateway]
  - clientId: tx-gateway
    name: Gateway
    clientType: CONFIDENTIAL
    grantTypes: [client_credentials]
    canIntrospect: false
`,
  );
  const first = await runScript(srv, 'onboard.ts', [file]);
  assert.equal(first.code, 0, first.stderr);
  const d = await gqlOk(srv, '{ tenant(slug: "sec-tx") { clients { edges { node { clientId canIntrospect tokenExchangeClients } } } } }');
  const byId = Object.fromEntries(d.tenant.clients.edges.map((e: any) => [e.node.clientId, e.node]));
  assert.deepEqual(byId['tx-web'], { clientId: 'tx-web', canIntrospect: true, tokenExchangeClients: ['tx-gateway'] });
  assert.deepEqual(byId['tx-gateway'], { clientId: 'tx-gateway', canIntrospect: false, tokenExchangeClients: [] });
  assert.match((await runScript(srv, 'onboard.ts', [file])).stdout, /No changes/);
  const exported = parse((await runScript(srv, 'export.ts', ['sec-tx'])).stdout) as { clients: Record<string, unknown>[] };
  assert.deepEqual(exported.clients.find((c) => c.clientId === 'tx-web')!.tokenExchangeClients, ['tx-gateway']);
  assert.equal(exported.clients.find((c) => c.clientId === 'tx-gateway')!.canIntrospect, false);
  assert.equal('canIntrospect' in exported.clients.find((c) => c.clientId === 'tx-web')!, false, 'defaults are not exported');
});
