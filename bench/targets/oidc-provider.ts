import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_CLIENTS, NAMED_TENANTS, type OpSpec } from '../shared.js';
import { freePort, treeRss, type SeedKind, type Target, type TenantFixture } from './target.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface OidcProviderOptions {
  /** Extra generated tenants (one Provider each), bounded in time and memory. */
  many?: { prefix: string; count: number; maxSeconds: number; maxRssMb: number };
  /** The same-database reference: state in this database (MongoDB adapter) instead of in memory. */
  database?: { uri: string; name: string };
  log: (msg: string) => void;
}

export const OP_MEMORY_LABEL = 'oidc-provider 9 (in memory)';
export const OP_DATABASE_LABEL = 'oidc-provider 9 (MongoDB adapter, same FerretDB)';

export interface StartedOidcProvider extends Target {
  /** How many generated Provider instances fit, and why it stopped early if it did. */
  created: { providers: number; seconds: number; boundHit: string | null };
}

export async function startOidcProvider(o: OidcProviderOptions): Promise<StartedOidcProvider> {
  const port = await freePort();
  const spec: OpSpec = {
    port,
    tenants: NAMED_TENANTS.map((t) => ({ ...t })),
    ...(o.many ? { generated: { ...o.many, alg: 'RS256' } } : {}),
    ...(o.database ? { database: o.database } : {}),
  };
  const spawned = Date.now();
  const proc = spawn(process.execPath, ['--import', 'tsx', join(here, '..', 'oidc-provider', 'server.ts')], {
    env: { ...process.env, NODE_ENV: 'production', BENCH_OP_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const ready = await new Promise<{ providers: number; seconds: number; boundHit: string | null }>((resolve, reject) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        proc.stdout.off('data', onData);
        proc.stdout.resume();
        resolve(JSON.parse(line) as { providers: number; seconds: number; boundHit: string | null });
      }
    };
    proc.stdout.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`oidc-provider bench server exited (${code}): ${stderr}`)));
  });
  const label = o.database ? OP_DATABASE_LABEL : OP_MEMORY_LABEL;
  o.log(`${label}: ${ready.providers} Provider instances, listening after ${((Date.now() - spawned) / 1000).toFixed(1)} s`);
  const url = `http://127.0.0.1:${port}`;
  const tenants: Record<string, TenantFixture> = {};
  for (const t of NAMED_TENANTS) {
    tenants[t.slug] = {
      slug: t.slug,
      alg: t.alg,
      cc: { ...BENCH_CLIENTS.cc },
      ccOpaque: { ...BENCH_CLIENTS.ccOpaque },
      rp: { ...BENCH_CLIENTS.rp },
    };
  }
  const generated = o.many ? ready.providers - NAMED_TENANTS.length : 0;
  const manySlugs = o.many ? Array.from({ length: generated }, (_, i) => `${o.many!.prefix}${i}`) : [];
  if (o.many && ready.boundHit) o.log(`oidc-provider: created ${generated} of ${o.many.count} Provider instances (${ready.boundHit})`);

  return {
    kind: 'oidc-provider',
    storage: o.database ? 'database' : 'memory',
    label,
    url,
    tenants,
    manySlugs,
    created: { providers: generated, seconds: ready.seconds, boundHit: ready.boundHit },
    async seed(slug: string, kind: SeedKind, n: number): Promise<string[]> {
      const out: string[] = [];
      // In chunks: one huge response would be a needless spike in the reference's memory.
      for (let done = 0; done < n; done += 2000) {
        const res = await fetch(`${url}/__bench/seed?slug=${slug}&kind=${kind}&n=${Math.min(2000, n - done)}`);
        if (!res.ok) throw new Error(`seeding ${kind} at oidc-provider failed: ${res.status} ${await res.text()}`);
        out.push(...((await res.json()) as string[]));
      }
      return out;
    },
    rss: async () => treeRss(proc.pid!),
    stop: async () => {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}
