import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mongoose from 'mongoose';
import { createClient, createTenant, createUser } from './helpers/admin.js';
import { issueCode, redeem, tokenRequest } from './helpers/issue.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
let alice: string;
const T = 'opc';
let web: [string, string];
let counting = false;
const ops: string[] = [];
before(async () => {
  srv = await startTestServer({ label: 'opcount' });
  await createTenant(srv, T);
  alice = await createUser(srv, T, 'alice', 'correct horse battery', { name: 'Alice', email: 'alice@example.com' });
  const w = await createClient(srv, T, { name: 'web', clientType: 'CONFIDENTIAL', redirectUris: ['https://rp.example.com/cb'] });
  web = [w.clientId, w.clientSecret!];
  mongoose.set('debug', (coll: string, method: string, ...args: unknown[]) => {
    if (counting) ops.push(`${coll}.${method} ${JSON.stringify(args[0]).slice(0, 140)}`);
  });
});
after(() => srv.close());
const SCOPES = ['openid', 'profile', 'email', 'offline_access'];

test('count', async () => {
  const codes = [];
  for (let i = 0; i < 4; i++) codes.push(await issueCode(srv, T, { clientId: web[0], userId: alice, scopes: SCOPES, offlineAccess: true }));
  const r0 = await redeem(srv, T, codes[0]!, web);
  await tokenRequest(srv, T, { grant_type: 'refresh_token', refresh_token: r0.body.refresh_token }, web);
  await new Promise((r) => setTimeout(r, 150));
  counting = true;
  const r = await redeem(srv, T, codes[1]!, web);
  assert.equal(r.status, 200);
  await new Promise((r) => setTimeout(r, 150));
  counting = false;
  console.log('CODE EXCHANGE ops:\n' + ops.join('\n'));
  ops.length = 0;
  counting = true;
  const f = await tokenRequest(srv, T, { grant_type: 'refresh_token', refresh_token: r.body.refresh_token }, web);
  assert.equal(f.status, 200);
  await new Promise((r) => setTimeout(r, 150));
  counting = false;
  console.log('REFRESH ops:\n' + ops.join('\n'));
  ops.length = 0;
  counting = true;
  const res = await fetch(`${srv.issuer(T)}/par`, {
    method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from(`${web[0]}:${web[1]}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ response_type: 'code', redirect_uri: 'https://rp.example.com/cb', scope: 'openid', client_id: web[0], code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }).toString(),
  });
  console.log('PAR status', res.status, await res.text());
  await new Promise((r) => setTimeout(r, 150));
  counting = false;
  console.log('PAR ops:\n' + ops.join('\n'));
});
