/**
 * `npm run bench [-- options]`: Gatehouse against oidc-provider 9, side by side, on loopback.
 * Two references in the same run: oidc-provider in memory, and oidc-provider with a
 * MongoDB adapter on the same FerretDB (and proxy) as Gatehouse (docs/benchmarks.md).
 *
 *   --smoke        2 s per scenario, only the smoke scenarios, no WORKERS pass, no scale
 *                  pass; exits non-zero if a scenario that exists fails (CI runs this)
 *   --no-build     use dist/ as it is
 *   --profile      run the one-process Gatehouse pass under `node --cpu-prof`
 *                  (profiles in bench/results/profiles/)
 *   --only=a,b     only these scenario ids
 *   --no-workers   skip the WORKERS=2 pass;  --no-scale  skip the 10,000-tenant pass
 *   --scale-only   only the fixtures and the 10,000-tenant pass (bench/scale.ts)
 *   --no-onboarding  skip the onboarding rows (bench/onboarding.ts); with --only they run
 *                  only if --onboarding is given; never in --smoke
 *
 * Environment: BENCH_DURATION (seconds per scenario, default 10), BENCH_CONNECTIONS
 * (default 10), BENCH_WORKERS (default 2), BENCH_LOG_LEVEL (Gatehouse LOG_LEVEL, default
 * warn), BENCH_SCALE_TENANTS (default 10000), BENCH_SCALE_LOAD_SECONDS (safety bound on loading
 * them, default 900; reported if hit), BENCH_OP_MAX_SECONDS (time bound for
 * creating oidc-provider instances, default 90), BENCH_OP_MAX_RSS_MB (default 8000).
 *
 * Traffic goes to 127.0.0.1 only.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { drive } from './load.js';
import { describeMachine, machine } from './machine.js';
import { ok, readmeTable, svgChart, textReport, type BenchResult, type Cell, type Row, type ScaleSide } from './report.js';
import { scenarios, Unavailable, type Scenario } from './scenarios.js';
import { recordAnswer, startRawServer } from './targets/raw-http.js';
import { measureSigningRates } from './signing-rate.js';
import { preload, percentile, scalePass } from './scale.js';
import { measureOnboarding, type OnboardingResult } from './onboarding.js';
import { createNamedTenants, insertManyTenants, startGatehouse, type GatehouseDatabase } from './targets/gatehouse.js';
import { closeSeedRuntimes } from './targets/gatehouse-seed.js';
import { startOidcProvider, type StartedOidcProvider } from './targets/oidc-provider.js';
import type { Target } from './targets/target.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const smoke = args.has('--smoke');
const scaleOnly = args.has('--scale-only');
const only = [...args]
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const num = (name: string, dflt: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const seconds = smoke ? 2 : num('BENCH_DURATION', 10);
const warmupSeconds = smoke ? 0.5 : Math.min(2, Math.max(1, seconds / 10));
const connections = num('BENCH_CONNECTIONS', 10);
const workers = num('BENCH_WORKERS', 2);
const logLevel = process.env.BENCH_LOG_LEVEL ?? 'warn';
const scaleTenants = num('BENCH_SCALE_TENANTS', 10_000);
const startedAt = new Date();
const t0 = Date.now();
const log = (msg: string): void => {
  process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);
};
const notes: string[] = [];

function build(): void {
  log('npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('npm run build failed');
}

/**
 * Requests a scenario may need over warm-up + window, to size pools of single-use
 * inputs (codes). A code exchange signs twice (access and ID token), so two cores of
 * signing bound it. A server that keeps codes in a database (Gatehouse, the
 * same-database reference) has them written there beforehand, so their number is capped
 * (BENCH_CODE_POOL, the same cap for both); if they run out, the window ends early and
 * says so (its req/s stays right: successes over the time it ran).
 */
function expected(t: Target, s: Scenario, signing: { RS256: number; ES256: number }): number {
  const perSecond = s.signs ? signing[s.signs] : 30_000;
  const n = Math.ceil(perSecond * (seconds + warmupSeconds) * 1.1);
  return t.storage === 'database' ? Math.min(n, num('BENCH_CODE_POOL', smoke ? 200 : 4_000)) : n;
}

async function measure(t: Target, s: Scenario, signing: { RS256: number; ES256: number }): Promise<Cell> {
  try {
    const preparing = Date.now();
    const plan = await s.prepare(t, { expectedRequests: expected(t, s, signing), connections });
    // Inputs made beforehand (codes, tokens) take time outside the window: say how much.
    if (Date.now() - preparing > 2000)
      log(`  ${t.label.padEnd(46)} ${s.id.padEnd(24)} inputs ready in ${((Date.now() - preparing) / 1000).toFixed(1)} s`);
    const m = await drive(plan, { url: t.url, seconds, connections, warmupSeconds });
    log(
      `  ${t.label.padEnd(46)} ${s.id.padEnd(24)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  errors ${m.errors}${m.note ? `  (${m.note})` : ''}`,
    );
    return m;
  } catch (err) {
    if (err instanceof Unavailable) {
      log(
        `  ${t.label.padEnd(46)} ${s.id.padEnd(24)} ${err.kind === 'failed' ? 'FAILED' : t.kind === 'gatehouse' ? 'not available yet' : 'not supported'}: ${err.message}`,
      );
      return { unavailable: err.message, kind: err.kind };
    }
    throw err;
  }
}

/** Scenarios of documents answered from memory: also measured against a raw node:http server answering the same bytes. */
const RAW_SCENARIOS = new Set(['discovery', 'jwks']);

async function measureRaw(t: Target, s: Scenario, signing: { RS256: number; ES256: number }): Promise<Cell> {
  const plan = await s.prepare(t, { expectedRequests: expected(t, s, signing), connections });
  const raw = await startRawServer([await recordAnswer(t.url, plan.path)]);
  try {
    const m = await drive({ method: 'GET', path: plan.path }, { url: raw.url, seconds, connections, warmupSeconds });
    log(
      `  ${'raw node:http'.padEnd(46)} ${s.id.padEnd(24)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  errors ${m.errors}`,
    );
    return m;
  } finally {
    await raw.stop();
  }
}

async function openDatabase(): Promise<{ db: GatehouseDatabase; stop: () => Promise<void> }> {
  type DevDb = typeof import('../src/devdb/dev-database.js');
  const { startDevDatabase } = (await import(pathToFileURL(join(root, 'dist', 'devdb', 'dev-database.js')).href)) as DevDb;
  if (process.env.MONGODB_URI) {
    log(`using MONGODB_URI for Gatehouse`);
    return {
      db: { uri: process.env.MONGODB_URI, name: `bench_${randomBytes(4).toString('hex')}`, masterKey: randomBytes(32).toString('base64') },
      stop: async () => {},
    };
  }
  // On tmpfs when there is one: the reference keeps its state in memory, and SQLite's
  // fsync per write on a disk would otherwise dominate every database-backed scenario.
  const dataDir =
    process.env.BENCH_DATA_DIR ??
    (existsSync('/dev/shm') ? join('/dev/shm', `gatehouse-bench-${process.pid}`) : join(root, '.data', 'bench'));
  const dev = await startDevDatabase({ dataDir, log: (m) => log(m) });
  log(`database: ${dev.kind} at ${dev.uri}, data in ${dataDir}`);
  notes.push(
    `Gatehouse's database: ${dev.kind === 'ferretdb' ? "FerretDB 1.24 (SQLite) behind the dev launcher's serializing proxy" : dev.kind}, data in ${dataDir}.`,
  );
  return {
    db: { uri: dev.uri, name: `bench_${randomBytes(4).toString('hex')}`, masterKey: randomBytes(32).toString('base64') },
    stop: async () => {
      await dev.stop();
      if (!process.env.BENCH_DATA_DIR && dataDir.startsWith('/dev/shm/')) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function dropDatabase(db: { uri: string; name: string }): Promise<void> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(db.uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.db(db.name).dropDatabase();
  } finally {
    await client.close();
  }
}

// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// onboarding (issue 17, item 4): its own Gatehouse processes, after pass 1
// ---------------------------------------------------------------------------

async function onboardingSection(db: GatehouseDatabase): Promise<OnboardingResult | undefined> {
  if (smoke || scaleOnly || args.has('--no-onboarding') || (only && !args.has('--onboarding'))) return undefined;
  log('onboarding: createTenant through GraphQL (key pool full, then off) and tenant files');
  return measureOnboarding(db, logLevel, log);
}

// ---------------------------------------------------------------------------

const FLAGS = new Set([
  '--smoke',
  '--no-build',
  '--profile',
  '--no-workers',
  '--no-scale',
  '--scale-only',
  '--onboarding',
  '--no-onboarding',
]);

/** A usage error (unknown option, unknown scenario id): said in one line, before any work. */
function usageError(): string | null {
  for (const a of args)
    if (!FLAGS.has(a) && !a.startsWith('--only=')) return `unknown option ${a} (options: ${[...FLAGS, '--only=a,b'].join(' ')})`;
  const unknown = only?.filter((id) => !scenarios.some((s) => s.id === id)) ?? [];
  if (unknown.length) return `unknown scenario ${unknown.join(', ')} (scenarios: ${scenarios.map((s) => s.id).join(', ')})`;
  return null;
}

async function main(): Promise<number> {
  const usage = usageError();
  if (usage) {
    process.stderr.write(`bench: ${usage}\n`);
    return 2;
  }
  if (!args.has('--no-build')) build();
  const m = machine();
  const machineLine = describeMachine(m);
  log(`machine: ${machineLine}`);
  const signing = await measureSigningRates(smoke ? 1 : 2);
  log(`raw jose signing (one core): RS256 ${signing.RS256.toFixed(0)}/s, ES256 ${signing.ES256.toFixed(0)}/s`);

  const selected = scaleOnly ? [] : scenarios.filter((s) => (only ? only.includes(s.id) : smoke ? s.smoke : true));
  const rows: Row[] = selected.map((s) => ({ id: s.id, label: s.label, targets: s.targets, ...(s.signs ? { signs: s.signs } : {}) }));
  const { db, stop: stopDb } = await openDatabase();
  // The same-database reference: the same server and proxy URI, a database of its own (dropped at the end).
  const opDb = { uri: db.uri, name: `${db.name}_oidc_provider` };
  const scale: ScaleSide[] = [];
  let onboarding: OnboardingResult | undefined;
  const stops: (() => Promise<void>)[] = [];
  let exitCode = 0;
  try {
    // ---- pass 1: Gatehouse (1 process), raw node:http, oidc-provider in memory and on the same database, scenario by scenario ----
    log('starting Gatehouse (1 process) and oidc-provider (in memory; MongoDB adapter on the same database)');
    const cpuProfDir = args.has('--profile') ? join(root, 'bench', 'results', 'profiles') : undefined;
    const gh = await startGatehouse({ db, workers: 1, logLevel, log, ...(cpuProfDir ? { cpuProfDir } : {}) });
    stops.push(() => gh.stop());
    notes.push(...(await createNamedTenants(gh, log)).map((n) => `Gatehouse fixtures: ${n}`));
    const needMany = selected.some((s) => s.id === 'discovery-1000');
    if (needMany) gh.manySlugs = await insertManyTenants(gh, db, 'bench-d', 1000, log);
    const many = needMany ? { many: { prefix: 'd', count: 1000, maxSeconds: 120, maxRssMb: 8000 } } : {};
    // Both references start at once (each is a process of its own; they idle until driven).
    const started = await Promise.allSettled([startOidcProvider({ log, ...many }), startOidcProvider({ log, ...many, database: opDb })]);
    const references: ['reference' | 'referenceDatabase', StartedOidcProvider][] = [];
    for (const [i, r] of started.entries()) {
      if (r.status === 'fulfilled') {
        stops.push(() => r.value.stop());
        references.push([i === 0 ? 'reference' : 'referenceDatabase', r.value]);
      }
    }
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    notes.push(
      `oidc-provider same database: MongoDB adapter (bench/oidc-provider/mongodb-adapter.ts) on the same database server and proxy URI as Gatehouse, database ${opDb.name}.`,
    );
    const warmMany = async (g: Target) => {
      if (!needMany) return;
      // oidc-provider's 1,000 instances exist from its start; Gatehouse loads a tenant on
      // its first request. Load them first, so the scenario measures serving, not loading.
      const pre = await preload(g, g.manySlugs, 60, false);
      log(
        `  ${g.label}: loaded ${pre.loaded.length} of ${g.manySlugs.length} tenants in ${pre.seconds.toFixed(0)} s (first touch p50 ${percentile(pre.latencies, 50).toFixed(0)} ms, p99 ${percentile(pre.latencies, 99).toFixed(0)} ms)`,
      );
      notes.push(
        `${g.label}: ${pre.loaded.length} of the 1,000 discovery tenants were loaded before the scenario (first touch p50 ${percentile(pre.latencies, 50).toFixed(0)} ms, p99 ${percentile(pre.latencies, 99).toFixed(0)} ms, ${pre.seconds.toFixed(0)} s for all).`,
      );
    };
    await warmMany(gh);
    for (const [i, s] of selected.entries()) {
      rows[i]!.gatehouse = await measure(gh, s, signing);
      if (RAW_SCENARIOS.has(s.id)) rows[i]!.raw = await measureRaw(gh, s, signing);
      for (const [key, op] of references) rows[i]![key] = await measure(op, s, signing);
    }
    for (const [, op] of references) await op.stop();
    await gh.stop();
    if (cpuProfDir) notes.push(`CPU profiles of the one-process pass: ${cpuProfDir}`);

    // ---- onboarding: createTenant latency and tenant files (bench/onboarding.ts) ----
    onboarding = await onboardingSection(db);

    // ---- pass 2: Gatehouse in cluster mode ----
    if (!smoke && !scaleOnly && !args.has('--no-workers')) {
      log(`starting Gatehouse with WORKERS=${workers}`);
      const gw = await startGatehouse({ db, workers, logLevel, log });
      stops.push(() => gw.stop());
      gw.tenants = gh.tenants;
      gw.manySlugs = gh.manySlugs;
      for (const [i, s] of selected.entries()) if (s.workers) rows[i]!.gatehouseWorkers = await measure(gw, s, signing);
      await gw.stop();
    }

    // ---- pass 3: many tenants (bench/scale.ts) ----
    if (!smoke && !args.has('--no-scale')) {
      scale.push(...(await scalePass({ db, tenants: gh.tenants, scaleTenants, seconds, connections, logLevel, log, stops })));
    }
  } finally {
    await closeSeedRuntimes();
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await dropDatabase(db).catch(() => undefined);
    await dropDatabase(opDb).catch(() => undefined);
    await stopDb();
  }

  const result: BenchResult = {
    startedAt: startedAt.toISOString(),
    seconds: Math.round((Date.now() - t0) / 1000),
    smoke,
    durationPerScenario: seconds,
    connections,
    workers,
    logLevel,
    machine: m,
    signing,
    rows,
    scale,
    notes,
    ...(onboarding ? { onboarding } : {}),
  };
  const report = textReport(result, machineLine);
  const readme = readmeTable(result, machineLine);
  process.stdout.write('\n' + report + '\n');

  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const body = JSON.stringify(result, null, 2) + '\n';
  // A run that leaves parts out (--only, --no-workers, --no-scale) is kept apart from the
  // full runs, so latest.* and the timestamped files always describe complete runs.
  const partial = Boolean(only) || scaleOnly || args.has('--no-workers') || args.has('--no-scale');
  if (smoke) {
    writeFileSync(join(dir, 'smoke-latest.json'), body);
  } else if (partial) {
    writeFileSync(join(dir, 'partial-latest.json'), body);
    writeFileSync(join(dir, 'partial-latest.md'), report);
    writeFileSync(join(dir, 'partial-latest.readme-table.md'), readme);
  } else {
    writeFileSync(join(dir, `${stamp}.json`), body);
    writeFileSync(join(dir, 'latest.json'), body);
    writeFileSync(join(dir, 'latest.svg'), svgChart(result));
    writeFileSync(join(dir, 'latest.md'), report);
    writeFileSync(join(dir, 'readme-table.md'), readme);
  }
  log(`results in ${dir} (${result.seconds} s in all)`);

  if (smoke) {
    // The smoke run guards against rot: anything that exists must work.
    for (const row of rows) {
      for (const c of [row.gatehouse, row.reference, row.referenceDatabase]) {
        if (c && !ok(c) && c.kind === 'failed') exitCode = 1;
        // Errors fail the smoke run; a low rate does not (the database-bound scenarios are slow on FerretDB).
        if (c && ok(c) && c.errors > 0) exitCode = 1;
      }
    }
    if (exitCode) log('smoke run: a scenario failed or had errors');
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
