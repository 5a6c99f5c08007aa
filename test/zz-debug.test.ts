import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { MongoClient } from 'mongodb';
import { startFaultDatabase, startServerOn } from './helpers/fault-db.js';
import { createTenant } from './helpers/admin.js';
test('dbg', async () => {
  const db = await startFaultDatabase();
  const env = { GATEHOUSE_DB_TIMEOUT_MS: '1500', GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64') };
  const a = await startServerOn(db, { label: 'dbg', env });
  await createTenant(a, 'acme');
  const t0 = Date.now();
  db.freeze();
  await Promise.all([1,2,3].map(() => fetch(`${a.url}/t/acme/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=x&client_secret=y' }).then(r => r.status)));
  await new Promise(r => setTimeout(r, 1000));
  db.thaw();
  for (let i = 0; i < 20; i++) { const r = await fetch(`${a.url}/readyz`); if (r.status === 200) { console.log(Date.now()-t0, 'ready after thaw'); break; } await new Promise(r => setTimeout(r, 200)); }
  await db.kill();
  await new Promise(r => setTimeout(r, 1500));
  await db.restart();
  console.log(Date.now()-t0, 'restarted');
  const direct = new MongoClient(`mongodb://127.0.0.1:${db.server.port}/`, { serverSelectionTimeoutMS: 1000, directConnection: true });
  console.log('direct ping', await direct.db('x').command({ ping: 1 }).then(() => 'ok', (e) => e.message)); await direct.close();
  const viaProxy = new MongoClient(db.uri, { serverSelectionTimeoutMS: 1000 });
  console.log('proxy ping', await viaProxy.db('x').command({ ping: 1 }).then(() => 'ok', (e) => e.message)); await viaProxy.close();
  for (let i = 0; i < 10; i++) {
    const r = await fetch(`${a.url}/readyz`);
    console.log((Date.now()-t0), 'readyz', r.status, a.store.guard?.isDown);
    if (r.status === 200) break;
    await new Promise(r => setTimeout(r, 1000));
  }
  await a.close(); await db.stop();
});
