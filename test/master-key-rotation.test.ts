import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { clientCredentials, createClient, createTenant } from './helpers/admin.js';
import { startTestServer, testDatabaseName } from './helpers/server.js';

test('rotating GATEHOUSE_MASTER_KEY keeps keys, client secrets and signing working', async () => {
  const dbName = testDatabaseName('mkrot');
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');

  const before = await startTestServer({ dbName, env: { GATEHOUSE_MASTER_KEY: oldKey } });
  await createTenant(before, 'acme');
  const c = await createClient(before, 'acme', {
    name: 'svc',
    clientType: 'CONFIDENTIAL',
    grantTypes: ['client_credentials'],
    scopes: ['api'],
  });
  const kids = await (await fetch(`${before.url}/t/acme/jwks`)).text();
  await before.close();

  // Without the previous key the sealed data cannot be opened: start-up fails loudly.
  await assert.rejects(startTestServer({ dbName, env: { GATEHOUSE_MASTER_KEY: newKey } }));

  const after = await startTestServer({ dbName, env: { GATEHOUSE_MASTER_KEY: newKey, GATEHOUSE_MASTER_KEY_PREVIOUS: oldKey } });
  try {
    assert.equal(await (await fetch(`${after.url}/t/acme/jwks`)).text(), kids);
    const res = await clientCredentials(after, 'acme', c.clientId, c.clientSecret!, { scope: 'api' });
    assert.equal(res.status, 200, 'the client secret still verifies after the master key changed');
    const sealed = await after.store.platformSecrets.get('hash-key');
    assert.equal(sealed?.mk, after.rt.envelope.currentKeyId, 'the hashing key was re-sealed under the new master key');
  } finally {
    await after.close();
  }
});
