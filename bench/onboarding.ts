/**
 * Onboarding rows (issue 17, item 4; docs/keys.md "Key pool"): how long `createTenant`
 * takes through GraphQL, N tenants in a row, with the key pool full and with it off
 * (every key generated on the request), and how long `npm run onboard` takes for 100
 * tenant files. Gatehouse only (oidc-provider has no onboarding API to compare with).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { poolTenantsOf, waitForKeyPool } from './targets/key-pool.js';
import { ADMIN, startGatehouse, type GatehouseDatabase, type StartedGatehouse } from './targets/gatehouse.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface LatencyRow {
  label: string;
  tenants: number;
  p50: number;
  p99: number;
  max: number;
}

export interface OnboardingResult {
  createTenant: LatencyRow[];
  files?: { tenants: number; seconds: number; perTenantMs: number; ok: boolean; note?: string };
  poolTenants: number;
}

const percentile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/**
 * `n` createTenant mutations one after the other; client-side latency of each (admin token
 * fetched beforehand). A failed one (a 503 on an overloaded machine) is counted, not timed.
 */
async function createInARow(
  g: StartedGatehouse,
  prefix: string,
  n: number,
  log: (m: string) => void,
): Promise<{ times: number[]; failed: number }> {
  await g.gql('{ __typename }');
  const times: number[] = [];
  let failed = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    try {
      await g.gql(`mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { slug } } }`, {
        input: { slug: `${prefix}-${i}`, displayName: `Onboarding ${i}` },
      });
      times.push(performance.now() - t0);
    } catch (err) {
      failed++;
      log(`  createTenant ${prefix}-${i} failed: ${(err as Error).message.slice(0, 200)}`);
    }
  }
  return { times, failed };
}

function row(label: string, { times, failed }: { times: number[]; failed: number }): LatencyRow {
  return {
    label: failed ? `${label} (${failed} failed)` : label,
    tenants: times.length,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: Math.max(0, ...times),
  };
}

function tenantFile(slug: string): string {
  return [
    `slug: ${slug}`,
    `displayName: Onboarded ${slug}`,
    'clients:',
    `  - clientId: ${slug}-web`,
    '    name: Web app',
    '    clientType: CONFIDENTIAL',
    '    redirectUris:',
    `      - https://${slug}.example.com/callback`,
    '    scopes: [openid, profile, email]',
    '',
  ].join('\n');
}

/** `npm run onboard` for a folder of `n` tenant files (each: a tenant and one client), timed from outside. */
async function onboardFiles(g: StartedGatehouse, prefix: string, n: number, log: (m: string) => void): Promise<OnboardingResult['files']> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-onboard-'));
  try {
    for (let i = 0; i < n; i++) writeFileSync(join(dir, `${prefix}-${String(i).padStart(3, '0')}.yaml`), tenantFile(`${prefix}-${i}`));
    const t0 = performance.now();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'onboard.ts'), dir], {
        cwd: root,
        env: { ...process.env, GATEHOUSE_URL: g.url, GATEHOUSE_ADMIN_CLIENT_ID: ADMIN.id, GATEHOUSE_ADMIN_CLIENT_SECRET: ADMIN.secret },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
      child.once('exit', (c) => resolve({ code: c, stderr: err }));
    });
    const seconds = (performance.now() - t0) / 1000;
    if (code !== 0) log(`  onboard exited ${code}: ${stderr}`);
    return {
      tenants: n,
      seconds,
      perTenantMs: (seconds * 1000) / n,
      ok: code === 0,
      note: 'wall time of the script process (start, plan, apply), pool full at the start',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The onboarding section: its own Gatehouse processes on the run's database (pass 1 has
 * stopped), the pool at its default size, then off. BENCH_ONBOARD_TENANTS (default 10, the
 * default pool's size) tenants in a row each; BENCH_ONBOARD_FILES (default 100) tenant files.
 */
export async function measureOnboarding(db: GatehouseDatabase, logLevel: string, log: (m: string) => void): Promise<OnboardingResult> {
  const n = Number(process.env.BENCH_ONBOARD_TENANTS) || 10;
  const files = Number(process.env.BENCH_ONBOARD_FILES) || 100;
  const poolTenants = await poolTenantsOf(process.env);
  const result: OnboardingResult = { createTenant: [], poolTenants };

  const pooled = await startGatehouse({ db, workers: 1, logLevel, log });
  try {
    if (!(await waitForKeyPool(db, process.env))) log('  onboarding: the key pool did not fill within its bound');
    const r = row(`createTenant, key pool full (${poolTenants} tenants' worth)`, await createInARow(pooled, 'onb-pool', n, log));
    result.createTenant.push(r);
    log(`  createTenant with the pool: p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms`);
  } finally {
    await pooled.stop();
  }

  const off = await startGatehouse({ db, workers: 1, logLevel, log, env: { GATEHOUSE_KEY_POOL_TENANTS: '0' } });
  try {
    const r = row('createTenant, pool off (keys generated)', await createInARow(off, 'onb-gen', Math.min(n, 5), log));
    result.createTenant.push(r);
    log(`  createTenant without the pool: p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms`);
  } finally {
    await off.stop();
  }

  const again = await startGatehouse({ db, workers: 1, logLevel, log });
  try {
    if (!(await waitForKeyPool(db, process.env))) log('  onboarding: the key pool did not fill within its bound');
    result.files = await onboardFiles(again, 'onb-file', files, log);
    log(
      `  npm run onboard, ${files} tenant files: ${result.files!.seconds.toFixed(1)} s (${result.files!.perTenantMs.toFixed(0)} ms per tenant)`,
    );
  } finally {
    await again.stop();
  }
  return result;
}

/** The onboarding table of latest.md. */
export function onboardingTable(o: OnboardingResult | undefined): string {
  if (!o) return '';
  const lines = ['Onboarding (Gatehouse, 1 process):', '', '| what | tenants | p50 | p99 | max |', '|---|---:|---:|---:|---:|'];
  for (const r of o.createTenant)
    lines.push(`| ${r.label} | ${r.tenants} | ${r.p50.toFixed(0)} ms | ${r.p99.toFixed(0)} ms | ${r.max.toFixed(0)} ms |`);
  if (o.files) {
    const f = o.files;
    lines.push(
      '',
      '| what | tenants | total | per tenant |',
      '|---|---:|---:|---:|',
      `| \`npm run onboard\`, tenant files (a tenant and one client each)${f.ok ? '' : ' — FAILED'} | ${f.tenants} | ${f.seconds.toFixed(1)} s | ${f.perTenantMs.toFixed(0)} ms |`,
    );
    if (f.note)
      lines.push('', `- ${f.note}; the pool covers the first ${o.poolTenants}, the rest generate their keys while the pool refills.`);
  }
  return lines.join('\n');
}
