/**
 * What a loaded tenant costs Gatehouse in memory, for all the scale tenants at once.
 *
 * Loading 10,000 tenants through the server's lazy path takes hours on the development
 * database (FerretDB 1.24 on SQLite scans a collection for every lookup that is not by
 * `_id`: a keyset lookup among 10,000 took ~7 s, a tenant by slug ~0.4 s). So this child
 * process reads the records with one query per collection and builds, with the server's
 * own classes, what the server holds after a tenant has served discovery, JWKS and a
 * client_credentials token: the tenant context in the registry, the key ring with the
 * signing key decrypted, the discovery document, the client record. The heap and RSS
 * growth per tenant is reported; the server's RSS growth per tenant, measured on the
 * tenants it did load, is reported beside it.
 *
 * Run by bench/run.ts: `node --expose-gc --import tsx bench/targets/gatehouse-memory.ts`
 * with BENCH_MEMORY_SPEC = {"db": {...}, "prefix": "bench-s"}; prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { benchRuntime, type GatehouseDatabase } from './gatehouse.js';

export interface TenantFootprint {
  tenants: number;
  /** Bytes per loaded tenant. */
  heapPerTenant: number;
  rssPerTenant: number;
  seconds: number;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = <T>(path: string): Promise<T> => import(pathToFileURL(join(root, 'dist', path)).href) as Promise<T>;
type KeyRingModule = typeof import('../../src/keys/key-ring.js');
type DiscoveryModule = typeof import('../../src/oidc/discovery.js');
type TenantRecord = import('../../src/tenancy/tenant-record.js').TenantRecord;
type KeysetRecord = import('../../src/keys/keyset-record.js').KeysetRecord;

async function child(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_MEMORY_SPEC ?? '{}') as { db: GatehouseDatabase; prefix: string };
  const started = Date.now();
  const { rt, close } = await benchRuntime(spec.db);
  const { KeyRing } = await dist<KeyRingModule>('keys/key-ring.js');
  const { discoveryDocument } = await dist<DiscoveryModule>('oidc/discovery.js');
  const records = (await rt.store.conn.collection('tenants').find({}).toArray()) as unknown as TenantRecord[];
  const scale = records.filter((r) => r.slug.startsWith(spec.prefix));
  const keysets = new Map(
    ((await rt.store.conn.collection('keysets').find({}).toArray()) as unknown as KeysetRecord[]).map((k) => [k.tenantId, k]),
  );
  const clients = new Map(
    (await rt.store.conn.collection('clients').find({ clientId: 'bench-cc' }).toArray()).map((c) => [c.tenantId as string, c]),
  );
  const gc = globalThis.gc ?? (() => {});
  const measure = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return { heap: m.heapUsed + m.external + m.arrayBuffers, rss: m.rss };
  };
  const before = measure();
  const held: unknown[] = [];
  for (const rec of scale) {
    const ctx = rt.tenants.install(rec);
    const ring = new KeyRing(ctx.id, keysets.get(rec._id)?.keys ?? [], rt.envelope);
    ring.signingKey(ctx.settings.signingAlg);
    held.push(ring, discoveryDocument(ctx), clients.get(rec._id));
  }
  const after = measure();
  const n = Math.max(1, scale.length);
  const out: TenantFootprint = {
    tenants: scale.length,
    heapPerTenant: (after.heap - before.heap) / n,
    rssPerTenant: (after.rss - before.rss) / n,
    seconds: (Date.now() - started) / 1000,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  void held.length;
  await close();
  process.exit(0);
}

export function measureTenantFootprint(db: GatehouseDatabase, prefix: string): Promise<TenantFootprint> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_MEMORY_SPEC: JSON.stringify({ db, prefix }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) return reject(new Error(`tenant footprint child exited with ${code}`));
      resolve(JSON.parse(line) as TenantFootprint);
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) void child();
