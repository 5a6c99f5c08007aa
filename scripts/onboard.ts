/**
 * Applies tenant files (tenants/*.yaml) through the GraphQL admin API: validates every
 * file first, shows the plan, then applies it with a progress display. Idempotent: a
 * second run finds nothing to change and says so.
 *
 *   npm run onboard -- tenants/acme.yaml [more files or folders…] [--dry-run] [--prune]
 *       [--url URL] [--client-id ID] [--client-secret SECRET] [--scope admin|tenant-admin:SLUG]
 *
 * Credentials: GATEHOUSE_ADMIN_CLIENT_ID / GATEHOUSE_ADMIN_CLIENT_SECRET; the server:
 * GATEHOUSE_URL or PUBLIC_URL (default http://localhost:3000). New confidential clients'
 * secrets are printed once, at the end. Exit codes: 0 done (or nothing to do), 1 failed,
 * 2 usage or invalid files (nothing applied).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadTenantFile, TenantFileError, type TenantFile } from '../src/tenant-files/tenant-file.js';
import { AdminApiError, apiOptionsFromEnv, connectAdminApi, parseArgs, retryUnavailable } from './lib/admin-api.js';
import { applyChanges, planTenant, type Change } from './lib/tenant-plan.js';
import { fetchTenant } from './lib/tenant-state.js';

/** Attempts of a step when the server answers 503 (1 s, 2 s, … apart): about 15 s in all. */
const RETRIES = 5;
const retrying = (what: string) => (s: number) => out(`${what}: unavailable, retrying in ${s} s`);

const out = (s = '') => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

function expand(paths: string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );
}

function describe(c: Change): string {
  const head = `${c.op} ${c.kind} ${c.id}`;
  return c.details.length ? `${head}\n${c.details.map((d) => `      ${d}`).join('\n')}` : head;
}

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, ['dry-run', 'prune', 'help']);
  } catch (e) {
    err(`onboard: ${(e as Error).message}`);
    return 2;
  }
  if (args.flags.help || args.positional.length === 0) {
    err('usage: npm run onboard -- <tenant.yaml|folder>… [--dry-run] [--prune] [--url URL] [--client-id ID] [--client-secret SECRET]');
    return 2;
  }

  // 1. Every file must be valid before anything is applied.
  const files: { path: string; spec: TenantFile }[] = [];
  let invalid = false;
  for (const path of expand(args.positional)) {
    try {
      files.push({ path, spec: loadTenantFile(path) });
    } catch (e) {
      invalid = true;
      err(e instanceof TenantFileError ? e.message : `${path}: ${(e as Error).message}`);
    }
  }
  if (invalid) {
    err('onboard: invalid tenant file(s); nothing was applied');
    return 2;
  }
  const slugs = new Set<string>();
  for (const f of files) {
    if (slugs.has(f.spec.slug)) {
      err(`onboard: tenant "${f.spec.slug}" is described by more than one file; nothing was applied`);
      return 2;
    }
    slugs.add(f.spec.slug);
  }

  try {
    const api = await retryUnavailable(() => connectAdminApi(apiOptionsFromEnv(args.flags)), {
      attempts: RETRIES,
      onRetry: retrying('admin token'),
    });
    // 2. Plan. Reads are repeated while the server answers 503.
    const plan = async (spec: TenantFile) => {
      const current = await retryUnavailable(
        () => fetchTenant(api, spec.slug, { users: (spec.users?.length ?? 0) > 0 || Boolean(args.flags.prune) }),
        { attempts: RETRIES, onRetry: retrying(`reading tenant ${spec.slug}`) },
      );
      return planTenant(spec, current, { prune: Boolean(args.flags.prune) });
    };
    const plans: { path: string; spec: TenantFile; changes: Change[] }[] = [];
    for (const f of files) plans.push({ ...f, changes: await plan(f.spec) });
    const total = plans.reduce((n, p) => n + p.changes.length, 0);
    out(`Plan (${api.url}):`);
    for (const p of plans) {
      out(`  tenant ${p.spec.slug} (${p.path}): ${p.changes.length === 0 ? 'no changes' : `${p.changes.length} change(s)`}`);
      for (const c of p.changes) out(`    ${describe(c)}`);
    }
    if (total === 0) {
      out('\nNo changes: everything already matches.');
      return 0;
    }
    if (args.flags['dry-run']) {
      out(`\nDry run: ${total} change(s) not applied.`);
      return 0;
    }

    // 3. Apply, with progress.
    out('');
    const secrets: Record<string, Record<string, string>> = {};
    let step = 0;
    for (const p of plans) {
      // A 503 is Gatehouse's "try again shortly" (docs/operations.md): after the wait the
      // tenant is read again and only what is still missing is applied; the plan is idempotent.
      const result = await retryUnavailable(
        async (attempt) =>
          applyChanges(api, attempt === 1 ? p.changes : await plan(p.spec), (_i, c, state) => {
            if (state === 'start') {
              step++;
              process.stdout.write(`[${step}/${total}] ${c.op} ${p.spec.slug}: ${c.kind} ${c.id} … `);
            } else out('done');
          }),
        { attempts: RETRIES, onRetry: retrying(`applying tenant ${p.spec.slug}`) },
      );
      if (Object.keys(result.secrets).length) secrets[p.spec.slug] = { ...secrets[p.spec.slug], ...result.secrets };
    }
    out(`\nApplied ${total} change(s).`);
    if (Object.keys(secrets).length) {
      out('\nNew client and event webhook secrets (shown only now; store them safely):');
      for (const [slug, s] of Object.entries(secrets)) for (const [id, secret] of Object.entries(s)) out(`  ${slug}/${id}: ${secret}`);
    }
    return 0;
  } catch (e) {
    out('failed');
    err(`onboard: ${e instanceof AdminApiError ? e.message : (e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
