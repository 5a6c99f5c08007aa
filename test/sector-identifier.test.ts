import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminToken, createClient, createTenant, createUser, gql, gqlOk } from './helpers/admin.js';
import { startDocumentServer, type DocumentServer } from './helpers/document-server.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * sector_identifier_uri (OIDC Core 8.1, OIDC Registration 2): fetched at registration,
 * RFC 7592 update and GraphQL changes; a JSON array that lists every redirect URI, else
 * invalid_client_metadata / BAD_USER_INPUT; its host is the pairwise sector.
 */
let srv: TestServer;
let docs: DocumentServer;
let userId: string;
const A = 'https://a.example.com/cb';
const B = 'https://b.example.net/cb';

before(async () => {
  process.env.NODE_ENV ??= 'test';
  srv = await startTestServer({ label: 'sector' });
  docs = await startDocumentServer();
  await createTenant(srv, 'sect', 'Sector', { settings: { subjectType: 'pairwise' } });
  await createTenant(srv, 'anyone', 'Open registration', { dynamicRegistration: 'OPEN' });
  userId = await createUser(srv, 'sect', 'alice', 'correct horse battery staple');
  docs.serve('/sector.json', JSON.stringify([A, B]));
  docs.serve('/only-a.json', JSON.stringify([A]));
  docs.serve('/not-json', '<html>hello</html>', { type: 'text/html' });
  docs.serve('/object.json', JSON.stringify({ redirect_uris: [A, B] }));
  docs.huge('/big.json', 256 * 1024);
  docs.hang('/slow.json');
});
after(async () => {
  await docs?.close();
  await srv?.close();
});

async function register(body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const { createInitialAccessToken: token } = await gqlOk<{ createInitialAccessToken: string }>(
    srv,
    'mutation { createInitialAccessToken(tenant: "sect") }',
  );
  const res = await fetch(`${srv.issuer('sect')}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ client_name: 'Sector app', ...body }),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function subFor(clientId: string): Promise<string> {
  const data = await gqlOk<{ previewClaims: { sub: string } }>(
    srv,
    'query($u: ID!, $c: String!) { previewClaims(tenant: "sect", userId: $u, clientId: $c, scopes: ["openid"]) { sub } }',
    { u: userId, c: clientId },
  );
  return data.previewClaims.sub;
}

describe('registration (RFC 7591) and update (RFC 7592)', () => {
  const refused: [string, () => string][] = [
    ['missing (404)', () => `${docs.url}/missing.json`],
    ['not JSON', () => `${docs.url}/not-json`],
    ['a JSON object, not an array', () => `${docs.url}/object.json`],
    ['not https', () => 'http://sector.example.com/sector.json'],
    ['an internal address', () => 'https://192.168.1.10/sector.json'],
    ['lacking a redirect_uri', () => `${docs.url}/only-a.json`],
    ['too big', () => `${docs.url}/big.json`],
    ['no answer in time', () => `${docs.url}/slow.json`],
  ];
  for (const [name, uri] of refused) {
    test(`refused: ${name}`, async () => {
      const r = await register({ redirect_uris: [A, B], sector_identifier_uri: uri() });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error, 'invalid_client_metadata');
    });
  }

  test('a good document: 201, and the pairwise sub follows the sector host, not the redirect hosts', async () => {
    const one = await register({ redirect_uris: [A, B], sector_identifier_uri: `${docs.url}/sector.json`, subject_type: 'pairwise' });
    assert.equal(one.status, 201, JSON.stringify(one.body));
    assert.equal(one.body.sector_identifier_uri, `${docs.url}/sector.json`);
    const two = await register({ redirect_uris: [A], sector_identifier_uri: `${docs.url}/only-a.json`, subject_type: 'pairwise' });
    assert.equal(two.status, 201, JSON.stringify(two.body));
    const plainA = await register({ redirect_uris: [A], subject_type: 'pairwise' });
    assert.equal(plainA.status, 201);

    // Same sector host (the document server): same sub; the redirect host a.example.com is another sector.
    assert.equal(await subFor(one.body.client_id), await subFor(two.body.client_id));
    assert.notEqual(await subFor(one.body.client_id), await subFor(plainA.body.client_id));
    assert.notEqual(await subFor(one.body.client_id), userId, 'pairwise, not the user id');
  });

  test('an RFC 7592 update is checked again', async () => {
    const reg = await register({ redirect_uris: [A], sector_identifier_uri: `${docs.url}/only-a.json` });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const put = (body: Record<string, unknown>) =>
      fetch(reg.body.registration_client_uri, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${reg.body.registration_access_token}` },
        body: JSON.stringify({ client_id: reg.body.client_id, client_name: 'Sector app', ...body }),
      });
    const bad = await put({ redirect_uris: [A, B], sector_identifier_uri: `${docs.url}/only-a.json` });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_client_metadata');
    const good = await put({ redirect_uris: [A, B], sector_identifier_uri: `${docs.url}/sector.json` });
    assert.equal(good.status, 200, await good.clone().text());
  });
});

describe('request object metadata at registration', () => {
  const open = (body: Record<string, unknown>) =>
    fetch(`${srv.issuer('anyone')}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [A], ...body }),
    });

  test('request_uris and request_object_signing_alg are kept and shown', async () => {
    const r = await open({ request_uris: ['https://a.example.com/req.jwt'], request_object_signing_alg: 'none' });
    assert.equal(r.status, 201);
    const body = (await r.json()) as Record<string, unknown>;
    assert.deepEqual(body.request_uris, ['https://a.example.com/req.jwt']);
    assert.equal(body.request_object_signing_alg, 'none');
  });

  test('refused: an internal or non-URL request_uri from an anonymous registrant; an unknown algorithm', async () => {
    for (const body of [
      { request_uris: ['https://10.1.2.3/req.jwt'] },
      { request_uris: ['not a url'] },
      { request_uris: 'https://a.example.com/r' },
      { request_object_signing_alg: 'XS1' },
    ]) {
      const r = await open(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(((await r.json()) as { error: string }).error, 'invalid_client_metadata');
    }
  });
});

describe('GraphQL createClient and updateClient', () => {
  test('BAD_USER_INPUT for a bad document; a good one is stored and shown', async () => {
    const input = { name: 'Admin sector', clientType: 'CONFIDENTIAL', redirectUris: [A, B] };
    const bad = await gql(
      srv,
      'mutation($i: CreateClientInput!) { createClient(tenant: "sect", input: $i) { client { clientId } } }',
      { i: { ...input, sectorIdentifierUri: `${docs.url}/only-a.json` } },
      await adminToken(srv),
    );
    assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(bad.errors?.[0]?.extensions?.field, 'sectorIdentifierUri');

    const created = await createClient(srv, 'sect', { ...input, sectorIdentifierUri: `${docs.url}/sector.json` });
    const shown = await gqlOk<{ client: { sectorIdentifierUri: string } }>(
      srv,
      'query($c: String!) { client(tenant: "sect", clientId: $c) { sectorIdentifierUri } }',
      { c: created.clientId },
    );
    assert.equal(shown.client.sectorIdentifierUri, `${docs.url}/sector.json`);

    // A redirect URI the document does not list is refused when it is added.
    const upd = await gql(
      srv,
      'mutation($c: String!, $i: UpdateClientInput!) { updateClient(tenant: "sect", clientId: $c, input: $i) { clientId } }',
      { c: created.clientId, i: { redirectUris: [A, B, 'https://c.example.org/cb'] } },
      await adminToken(srv),
    );
    assert.equal(upd.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    // Unrelated edits do not refetch the document.
    const before = docs.hits.get('/sector.json') ?? 0;
    await gqlOk(srv, 'mutation($c: String!) { updateClient(tenant: "sect", clientId: $c, input: { name: "Renamed" }) { clientId } }', {
      c: created.clientId,
    });
    assert.equal(docs.hits.get('/sector.json') ?? 0, before);
  });
});
