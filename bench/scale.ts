/**
 * The scale pass of `npm run bench` (pass 3): many tenants, lazily loaded (Gatehouse)
 * against one Provider instance each (oidc-provider). Called by bench/run.ts.
 */
import { drive, type Measurement } from './load.js';
import type { ScaleSide } from './report.js';
import { insertManyTenants, startGatehouse, type GatehouseDatabase } from './targets/gatehouse.js';
import { startOidcProvider } from './targets/oidc-provider.js';
import type { Target, TenantFixture } from './targets/target.js';

export interface ScaleOptions {
  db: GatehouseDatabase;
  /** The named tenants' fixtures (created in pass 1). */
  tenants: Record<string, TenantFixture>;
  scaleTenants: number;
  /** Seconds per scenario of the run (the scale scenarios take at most 5). */
  seconds: number;
  connections: number;
  logLevel: string;
  log: (msg: string) => void;
  /** Stops the caller runs in its `finally` (servers started here are added). */
  stops: (() => Promise<void>)[];
}

const num = (name: string, dflt: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : dflt;
};

const scaleScenarios = (
  pick: (t: Target) => string,
): { id: string; label: string; plan: (t: Target, many: boolean) => Promise<Parameters<typeof drive>[0]> }[] => [
  {
    id: 'discovery',
    label: 'discovery',
    plan: async (t, many) =>
      many
        ? { method: 'GET', path: '', next: () => ({ path: `/t/${pick(t)}/.well-known/openid-configuration` }) }
        : { method: 'GET', path: '/t/bench-rs256/.well-known/openid-configuration' },
  },
  {
    id: 'jwks',
    label: 'JWKS',
    plan: async (t, many) =>
      many ? { method: 'GET', path: '', next: () => ({ path: `/t/${pick(t)}/jwks` }) } : { method: 'GET', path: '/t/bench-rs256/jwks' },
  },
  {
    id: 'client-credentials',
    label: 'client_credentials RS256',
    plan: async (t, many) => {
      const cc = t.tenants['bench-rs256']!.cc;
      const headers = {
        authorization: `Basic ${Buffer.from(`${cc.id}:${cc.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      };
      const body = 'grant_type=client_credentials&scope=api%3Aread';
      return many
        ? { method: 'POST', path: '', headers, body, next: () => ({ path: `/t/${pick(t)}/token` }) }
        : { method: 'POST', path: '/t/bench-rs256/token', headers, body };
    },
  },
];

/**
 * Touches tenants (discovery, and with `withKeys` JWKS and a client_credentials token,
 * `concurrency` at a time) so they are loaded, until all are or the time bound is hit.
 * Returns the slugs that answered, the first-touch latencies (the three requests of one
 * tenant, back to back) and whether the bound stopped it.
 */
export async function preload(
  t: Target,
  slugs: string[],
  maxSeconds: number,
  withKeys = true,
  concurrency = 8,
): Promise<{ loaded: string[]; latencies: number[]; seconds: number; boundHit: boolean; failures: string[] }> {
  const started = Date.now();
  const deadline = started + maxSeconds * 1000;
  const loaded: string[] = [];
  const latencies: number[] = [];
  // Why a tenant did not answer: the request, its status and the start of its body.
  const failures: string[] = [];
  const why = async (slug: string, what: string, res: Response): Promise<void> => {
    if (!res.ok) failures.push(`${slug} ${what}: ${res.status} ${(await res.text()).slice(0, 200)}`);
    else await res.arrayBuffer();
  };
  let next = 0;
  const cc = t.tenants['bench-rs256']?.cc;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < slugs.length && Date.now() < deadline) {
        const slug = slugs[next++] as string;
        const t0 = performance.now();
        const a = await fetch(`${t.url}/t/${slug}/.well-known/openid-configuration`);
        await why(slug, 'discovery', a);
        let keysOk = true;
        if (withKeys && cc) {
          // JWKS and a token: the tenant's key ring and its client are loaded too.
          const b = await fetch(`${t.url}/t/${slug}/jwks`);
          await why(slug, 'JWKS', b);
          const c = await fetch(`${t.url}/t/${slug}/token`, {
            method: 'POST',
            headers: {
              authorization: `Basic ${Buffer.from(`${cc.id}:${cc.secret}`).toString('base64')}`,
              'content-type': 'application/x-www-form-urlencoded',
            },
            body: 'grant_type=client_credentials&scope=api%3Aread',
          });
          await why(slug, 'token', c);
          keysOk = b.ok && c.ok;
        }
        latencies.push(performance.now() - t0);
        if (a.ok && keysOk) loaded.push(slug);
      }
    }),
  );
  return { loaded, latencies, seconds: (Date.now() - started) / 1000, boundHit: next < slugs.length, failures };
}

export const percentile = (xs: number[], p: number): number => {
  if (!xs.length) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

async function scaleSide(o: ScaleOptions, t: Target, label: string, note: string, loadBound?: number): Promise<ScaleSide> {
  const { seconds, connections, log } = o;
  const scaleSeconds = Math.min(seconds, 5);
  let slugs = t.manySlugs;
  let firstTouch: ScaleSide['firstTouch'];
  const random = () => slugs[Math.floor(Math.random() * slugs.length)] as string;
  const list = scaleScenarios(random);
  const rows: ScaleSide['rows'] = list.map((s) => ({ id: s.id, label: s.label }));
  const run = async (plan: Parameters<typeof drive>[0]): Promise<Measurement> =>
    drive(plan, { url: t.url, seconds: scaleSeconds, connections, warmupSeconds: 1 });
  for (const [i, s] of list.entries()) {
    rows[i]!.one = await run(await s.plan(t, false));
    log(
      `  ${label} one tenant ${s.id}: p99 ${(rows[i]!.one as Measurement).p99} ms, ${(rows[i]!.one as Measurement).rps.toFixed(0)} req/s`,
    );
  }
  const rssOneTenant = await t.rss();
  if (loadBound !== undefined) {
    // Lazy loading: every tenant is loaded from the database on its first request.
    const shuffled = [...slugs].sort(() => Math.random() - 0.5);
    // Two tenants at a time: the development database serves one request at a time (the
    // serializing proxy), so with two one tenant's database round trips overlap the other's
    // signing and parsing; more would only queue and measure the queue, not the loading.
    const pre = await preload(t, shuffled, loadBound, true, 2);
    firstTouch = {
      loaded: pre.loaded.length,
      of: slugs.length,
      seconds: pre.seconds,
      p50: percentile(pre.latencies, 50),
      p99: percentile(pre.latencies, 99),
      concurrency: 2,
      ...(pre.boundHit ? { boundHit: loadBound } : {}),
      ...(pre.failures.length ? { failures: pre.failures.slice(0, 10) } : {}),
    };
    for (const f of pre.failures.slice(0, 10)) log(`  ${label}: first request failed: ${f}`);
    log(
      `  ${label}: first touch of ${pre.loaded.length} of ${slugs.length} tenants in ${pre.seconds.toFixed(0)} s, p50 ${firstTouch.p50.toFixed(1)} ms, p99 ${firstTouch.p99.toFixed(1)} ms${pre.boundHit ? ` — STOPPED by the ${loadBound} s safety bound` : ''}`,
    );
    slugs = pre.loaded;
  }
  // Measured: the server process's RSS with every tenant loaded, before the random-tenant traffic.
  const rssLoaded = await t.rss();
  log(
    `  ${label}: RSS ${(rssOneTenant / 2 ** 20).toFixed(0)} MiB with one tenant, ${(rssLoaded / 2 ** 20).toFixed(0)} MiB with ${slugs.length} loaded`,
  );
  for (const [i, s] of list.entries()) {
    rows[i]!.many = await run(await s.plan(t, true));
    log(
      `  ${label} ${slugs.length} tenants ${s.id}: p99 ${(rows[i]!.many as Measurement).p99} ms, ${(rows[i]!.many as Measurement).rps.toFixed(0)} req/s`,
    );
  }
  return {
    label,
    tenants: slugs.length,
    note,
    rssOneTenant,
    rssLoaded,
    rssMany: await t.rss(),
    rows,
    seconds: scaleSeconds,
    ...(firstTouch ? { firstTouch } : {}),
  };
}

/** Pass 3: Gatehouse with `scaleTenants` tenants in its store, then oidc-provider with as many Provider instances as fit. */
export async function scalePass(o: ScaleOptions): Promise<ScaleSide[]> {
  const { db, scaleTenants, logLevel, log, stops } = o;
  const sides: ScaleSide[] = [];
  const gs = await startGatehouse({ db, workers: 1, logLevel, log });
  stops.push(() => gs.stop());
  gs.tenants = o.tenants;
  gs.manySlugs = await insertManyTenants(gs, db, 'bench-s', scaleTenants, log);
  log(`scale: Gatehouse with ${scaleTenants} tenants in the store (lazily loaded)`);
  // A safety bound only: every tenant is meant to load; hitting it is reported.
  const loadBound = num('BENCH_SCALE_LOAD_SECONDS', 900);
  const side = await scaleSide(
    o,
    gs,
    'Gatehouse (1 process)',
    `${scaleTenants} tenants bulk-inserted into the database as the documents createTenant writes (key material copied from a pool of 4 generated key sets, re-sealed per tenant and kid: the one shortcut), each loaded through the server's lazy path on its first request.`,
    loadBound,
  );
  await gs.stop();
  sides.push(side);

  const maxSeconds = num('BENCH_OP_MAX_SECONDS', 90);
  const maxRssMb = num('BENCH_OP_MAX_RSS_MB', 8000);
  log(`scale: oidc-provider with up to ${scaleTenants} Provider instances (bounded by ${maxSeconds} s, ${maxRssMb} MiB)`);
  const os = await startOidcProvider({ log, many: { prefix: 's', count: scaleTenants, maxSeconds, maxRssMb } });
  stops.push(() => os.stop());
  const made = os.created;
  sides.push(
    await scaleSide(
      o,
      os,
      'oidc-provider 9 (1 process)',
      `${made.providers} Provider instances created at start in ${made.seconds.toFixed(1)} s${made.boundHit ? ` — stopped by the ${made.boundHit}; the machine did not fit all ${scaleTenants}` : ''} (key pool shortcut as well).`,
    ),
  );
  await os.stop();
  return sides;
}
