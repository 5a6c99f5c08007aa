import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BENCH_CLIENTS, BENCH_REDIRECT_URI, BENCH_USER, NAMED_TENANTS, basic } from '../shared.js';
import { openTestDb } from '../../test/helpers/db.js';
import { waitForKeyPool } from './key-pool.js';
import { childPids, freePort, treeRss, waitFor, type Credentials, type SeedKind, type Target, type TenantFixture } from './target.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bench drives the built server, so it imports the built modules too. */
const dist = <T>(path: string): Promise<T> => import(pathToFileURL(join(root, 'dist', path)).href) as Promise<T>;

/** A GET on a new connection (fetch would reuse one, and so reach the same worker). */
const freshGet = (u: string): Promise<string> =>
  new Promise((resolve, reject) => {
    get(u, { agent: false }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });

export const ADMIN = { id: 'bench-admin', secret: 'bench-admin-secret-0123456789abcdef' };

/** One database for every Gatehouse pass of a run: seeded once, reused by the WORKERS=2 pass. */
export interface GatehouseDatabase {
  uri: string;
  name: string;
  masterKey: string;
}

export interface GatehouseOptions {
  db: GatehouseDatabase;
  workers: number;
  logLevel: string;
  /** Directory for `--cpu-prof` output (one file per process), when profiling. */
  cpuProfDir?: string;
  log: (msg: string) => void;
  /** Extra environment (e.g. GATEHOUSE_KEY_POOL_TENANTS for the onboarding rows, bench/onboarding.ts). */
  env?: Record<string, string>;
}

export interface StartedGatehouse extends Target {
  db: GatehouseDatabase;
  /** Admin GraphQL with the bootstrap platform-admin client. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export async function startGatehouse(o: GatehouseOptions): Promise<StartedGatehouse> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [...(o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] : []), join(root, 'dist', 'main.js')];
  if (o.cpuProfDir) mkdirSync(o.cpuProfDir, { recursive: true });
  const dataDir = join(root, '.data', 'bench');
  mkdirSync(dataDir, { recursive: true });
  const proc: ChildProcess = spawn(process.execPath, args, {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      PUBLIC_URL: url,
      MONGODB_URI: o.db.uri,
      MONGODB_DATABASE: o.db.name,
      GATEHOUSE_MASTER_KEY: o.db.masterKey,
      GATEHOUSE_ADMIN_CLIENT_ID: ADMIN.id,
      GATEHOUSE_ADMIN_CLIENT_SECRET: ADMIN.secret,
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_DEMO_TENANT: 'false',
      LOG_LEVEL: o.logLevel,
      WORKERS: String(o.workers),
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stdout!.resume();
  proc.stderr!.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  let exited = false;
  proc.once('exit', () => (exited = true));
  try {
    await waitFor(
      'Gatehouse',
      async () => {
        if (exited) throw new Error(`Gatehouse exited during start: ${stderr}`);
        return (await fetch(`${url}/readyz`)).ok;
      },
      60_000,
      () => exited,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; stderr: ${stderr}`);
    });
    if (o.workers > 1) {
      // Workers are not identifiable from outside (their metrics look alike), so: all
      // forked, a run of good answers on fresh connections, then a moment for the
      // slower worker to call listen() and join the primary's round-robin.
      await waitFor(
        'Gatehouse workers',
        async () => {
          if (childPids(proc.pid!).length < o.workers) return false;
          for (let i = 0; i < o.workers * 3; i++) if (!(await freshGet(`${url}/readyz`)).includes('ok')) return false;
          return true;
        },
        60_000,
        () => exited,
      );
      await new Promise((r) => setTimeout(r, 2000));
    }
    // A fresh database: the key pool fills in the background first (bench/targets/key-pool.ts), not during a measurement.
    if (!(await waitForKeyPool(o.db, { ...process.env, ...o.env }))) o.log('gatehouse: the key pool did not fill within its bound');
  } catch (err) {
    proc.kill('SIGTERM');
    throw err;
  }

  let token: { value: string; until: number } | undefined;
  const adminToken = async (): Promise<string> => {
    if (token && token.until > Date.now()) return token.value;
    const res = await fetch(`${url}/t/system/token`, {
      method: 'POST',
      headers: { authorization: basic(ADMIN.id, ADMIN.secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=admin',
    });
    const body = (await res.json()) as { access_token?: string };
    if (!body.access_token) throw new Error(`no admin token: ${res.status} ${JSON.stringify(body)}`);
    token = { value: body.access_token, until: Date.now() + 60_000 };
    return token.value;
  };
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await adminToken()}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    if (body.errors?.length || !body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
    return body.data;
  };

  const target: StartedGatehouse = {
    kind: 'gatehouse',
    storage: 'database',
    label: o.workers > 1 ? `Gatehouse (WORKERS=${o.workers})` : 'Gatehouse (1 process)',
    url,
    tenants: {},
    manySlugs: [],
    db: o.db,
    gql,
    seed: async (slug: string, kind: SeedKind, n: number) => {
      const { seedGatehouse } = await import('./gatehouse-seed.js');
      return seedGatehouse(target, slug, kind, n);
    },
    rss: async () => treeRss(proc.pid!),
    stop: async () => {
      if (exited) return;
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
  return target;
}

// ---------------------------------------------------------------------------
// Fixtures through the admin API (the named tenants)
// ---------------------------------------------------------------------------

async function inputFields(g: StartedGatehouse, type: string): Promise<Map<string, string>> {
  const data = await g.gql<{
    __type: { inputFields: { name: string; type: { name: string | null; ofType: { name: string | null } | null } }[] } | null;
  }>(`query($t: String!) { __type(name: $t) { inputFields { name type { name ofType { name } } } } }`, { t: type });
  return new Map((data.__type?.inputFields ?? []).map((f) => [f.name, f.type.name ?? f.type.ofType?.name ?? '']));
}

async function createClientIfMissing(g: StartedGatehouse, tenant: string, input: Record<string, unknown>): Promise<Credentials> {
  const data = await g.gql<{ createClient: { client: { clientId: string }; clientSecret: string } }>(
    `mutation($tenant: String!, $input: CreateClientInput!) { createClient(tenant: $tenant, input: $input) { client { clientId } clientSecret } }`,
    { tenant, input },
  );
  return { id: data.createClient.client.clientId, secret: data.createClient.clientSecret };
}

/**
 * The two named tenants (RS256 and ES256) with their clients and a user, created the way
 * an operator would: through GraphQL. Returns what could not be created (a client kind
 * the admin API does not offer yet) as notes.
 */
export async function createNamedTenants(g: StartedGatehouse, log: (m: string) => void): Promise<string[]> {
  const notes: string[] = [];
  const clientFields = await inputFields(g, 'CreateClientInput');
  for (const t of NAMED_TENANTS) {
    await g.gql(`mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { slug } } }`, {
      input: { slug: t.slug, displayName: `Bench ${t.alg}`, signingAlg: t.alg },
    });
    const base = { clientType: 'CONFIDENTIAL', tokenEndpointAuthMethod: 'client_secret_basic' };
    const fixture: TenantFixture = {
      slug: t.slug,
      alg: t.alg,
      cc: await createClientIfMissing(g, t.slug, {
        ...base,
        name: 'bench client_credentials',
        clientId: BENCH_CLIENTS.cc.id,
        redirectUris: [],
        grantTypes: ['client_credentials'],
        responseTypes: [],
        scopes: ['api:read'],
      }),
    };
    const formatField = clientFields.get('accessTokenFormat');
    if (formatField !== undefined) {
      const value = formatField === 'String' ? 'opaque' : 'OPAQUE';
      try {
        fixture.ccOpaque = await createClientIfMissing(g, t.slug, {
          ...base,
          name: 'bench client_credentials (opaque)',
          clientId: BENCH_CLIENTS.ccOpaque.id,
          redirectUris: [],
          grantTypes: ['client_credentials'],
          responseTypes: [],
          scopes: ['api:read'],
          accessTokenFormat: value,
        });
      } catch (err) {
        notes.push(`opaque client: ${(err as Error).message.slice(0, 200)}`);
      }
    } else {
      notes.push('CreateClientInput has no accessTokenFormat yet: no opaque access tokens to introspect');
    }
    try {
      fixture.rp = await createClientIfMissing(g, t.slug, {
        ...base,
        name: 'bench relying party',
        clientId: BENCH_CLIENTS.rp.id,
        redirectUris: [BENCH_REDIRECT_URI],
        grantTypes: ['authorization_code', 'refresh_token'],
        responseTypes: ['code'],
        scopes: ['openid', 'email', 'profile', 'offline_access', 'api:read'],
        idTokenSignedResponseAlg: t.alg,
        requireConsent: false,
      });
      await g.gql(`mutation($tenant: String!, $input: CreateUserInput!) { createUser(tenant: $tenant, input: $input) { id } }`, {
        tenant: t.slug,
        input: {
          username: BENCH_USER.username,
          password: BENCH_USER.password,
          claims: { email: BENCH_USER.email, email_verified: true, name: BENCH_USER.name },
        },
      });
    } catch (err) {
      notes.push(`relying party: ${(err as Error).message.slice(0, 200)}`);
    }
    g.tenants[t.slug] = fixture;
  }
  // The named tenants took pairs from the key pool: let it refill before anything is measured.
  await waitForKeyPool(g.db, process.env);
  for (const n of notes) log(`gatehouse fixtures: ${n}`);
  return [...new Set(notes)];
}

// ---------------------------------------------------------------------------
// Many tenants straight into the store (benchmark shortcut, labelled as such)
// ---------------------------------------------------------------------------

type StoreModule = typeof import('../../src/store/index.js');
type StartModule = typeof import('../../src/boot/start.js');
type KeyGenModule = typeof import('../../src/keys/key-generation.js');
type DefaultsModule = typeof import('../../src/config/defaults.js');
type ConfigModule = typeof import('../../src/config/index.js');
type Runtime = import('../../src/runtime.js').Runtime;
type KeyRecord = import('../../src/keys/key-record.js').SigningKeyRecord;

/**
 * A Gatehouse runtime inside the bench process, on the server's database and master
 * key, started by the same composition root as the server (boot/start.ts): the same
 * code the server runs, for seeding (tenants in bulk, codes made beforehand). It serves
 * nothing and runs no background job (the server under test does); its caches are its
 * own, and the server loads what it writes.
 */
export async function benchRuntime(db: GatehouseDatabase): Promise<{ rt: Runtime; close: () => Promise<void> }> {
  const { startGatehouse } = await dist<StartModule>('boot/start.js');
  const { loadConfig } = await dist<ConfigModule>('config/index.js');
  const config = loadConfig({
    NODE_ENV: 'production',
    MONGODB_URI: db.uri,
    MONGODB_DATABASE: db.name,
    GATEHOUSE_MASTER_KEY: db.masterKey,
    LOG_LEVEL: 'warn',
  });
  const gatehouse = await startGatehouse({
    config,
    listen: false,
    // The server under test set the database up; this one only attaches to it.
    role: 'worker',
    without: ['registrySync', 'keyRotation', 'keyPool', 'eventDelivery', 'logoutDelivery'],
  });
  return { rt: gatehouse.rt, close: () => gatehouse.stop() };
}

/**
 * Inserts `count` tenants `${prefix}${i}` straight into the database, as bulk inserts of
 * exactly the documents the normal creation path writes (store/index.ts): the tenant,
 * its slug link (`_id` = slug), its keyset (`_id` = tenant id) and one client_credentials
 * client (`_id` = clientDocId(tenant id, client id)), in the same collections.
 *
 * BENCHMARK SHORTCUT: generating 8 key pairs (4 of them RSA-2048) for each of 10,000
 * tenants would take many minutes, so a pool of 4 key sets is generated once and each
 * tenant gets a copy of one pool set's key material under fresh kids, sealed again
 * under its own tenant id and kid (so the server decrypts and uses them exactly as it
 * does generated keys). Real tenants never share key material.
 */
export async function insertManyTenants(
  g: StartedGatehouse,
  db: GatehouseDatabase,
  prefix: string,
  count: number,
  log: (m: string) => void,
): Promise<string[]> {
  const { newId, clientDocId } = await dist<StoreModule>('store/index.js');
  const { generateSigningKey, keyContext } = await dist<KeyGenModule>('keys/key-generation.js');
  const { signingAlgs } = await dist<DefaultsModule>('config/defaults.js');
  const started = Date.now();
  const { rt, close } = await benchRuntime(db);
  const { envelope, store } = rt;
  // Bulk inserts beside the store (test/helpers/db.ts): the store offers no bulk path, on purpose.
  const raw = openTestDb(db.uri, db.name);
  try {
    const poolTenant = 'bench-key-pool';
    const pool: { rec: KeyRecord; der: Buffer }[][] = [];
    for (let p = 0; p < 4; p++) {
      const set: { rec: KeyRecord; der: Buffer }[] = [];
      for (const alg of signingAlgs) {
        for (const status of ['ACTIVE', 'NEXT'] as const) {
          const rec = await generateSigningKey(envelope, poolTenant, alg, status);
          set.push({ rec, der: envelope.open(rec.privateKey, keyContext(poolTenant, rec.kid)) });
        }
      }
      pool.push(set);
    }
    // The client template: the named RS256 tenant's client_credentials client as the server stored it.
    const named = g.tenants['bench-rs256'];
    const namedRecord = await store.tenants.findBySlug('bench-rs256');
    const template = namedRecord ? await store.forTenant(namedRecord._id).clients.findByClientId(named!.cc.id) : null;
    if (!template) throw new Error('the bench-rs256 client_credentials client is missing');
    const secretHash = envelope.hashSecret(named!.cc.secret);

    const tenants = raw.collection('tenants');
    const tenantSlugs = raw.collection('tenant_slugs');
    const keysets = raw.collection('keysets');
    const clients = raw.collection('clients');
    const slugs: string[] = [];
    const BATCH = 500;
    for (let from = 0; from < count; from += BATCH) {
      const tDocs: Record<string, unknown>[] = [];
      const kDocs: Record<string, unknown>[] = [];
      const cDocs: Record<string, unknown>[] = [];
      const sDocs: Record<string, unknown>[] = [];
      const now = new Date();
      for (let i = from; i < Math.min(count, from + BATCH); i++) {
        const id = newId();
        const slug = `${prefix}${i}`;
        slugs.push(slug);
        const keys = (pool[i % pool.length] as { rec: KeyRecord; der: Buffer }[]).map(({ rec, der }) => {
          const kid = randomBytes(12).toString('base64url');
          const jwk = { ...(JSON.parse(rec.publicJwk) as Record<string, unknown>), kid };
          return {
            ...rec,
            kid,
            createdAt: now,
            activatedAt: rec.status === 'ACTIVE' ? now : null,
            publicJwk: JSON.stringify(jwk),
            privateKey: envelope.seal(der, keyContext(id, kid)),
          };
        });
        tDocs.push({ _id: id, slug, displayName: `Scale ${i}`, branding: {}, settings: {}, revision: 1, createdAt: now, updatedAt: now });
        sDocs.push({ _id: slug, tenantId: id });
        kDocs.push({ _id: id, tenantId: id, version: 1, keys });
        const { _id: _omit, tenantId: _t, ...rest } = template;
        cDocs.push({ ...rest, _id: clientDocId(id, rest.clientId), tenantId: id, secretHash, createdAt: now, updatedAt: now });
      }
      // Keysets and clients first: a tenant is never visible without its keys.
      await keysets.insertMany(kDocs as never[], { ordered: false });
      await clients.insertMany(cDocs as never[], { ordered: false });
      // The tenant, then its slug link: what the store's tenants.insert writes.
      await tenants.insertMany(tDocs as never[], { ordered: false });
      await tenantSlugs.insertMany(sDocs as never[], { ordered: false });
    }
    log(
      `gatehouse: inserted ${count} tenants "${prefix}N" into the store in ${((Date.now() - started) / 1000).toFixed(1)} s (shared key-pool shortcut)`,
    );
    return slugs;
  } finally {
    await raw.close();
    await close();
  }
}
