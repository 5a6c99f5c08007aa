import { join } from 'node:path';
import { createLogger } from './boot/runtime.js';
import { beginStart } from './boot/start.js';
import { openRuntime } from './boot/open-runtime.js';
import type { AdminCredentials } from './boot/bootstrap.js';
import type { DemoTenant } from './boot/demo-tenant.js';
import { clusterRole, clusterWorkers, runPrimary } from './cluster.js';
import { ConfigError, loadConfig, type Config } from './config/index.js';
import { startDevDatabase } from './devdb/dev-database.js';
import { systemClock } from './time/clock.js';
import { startTracing, stopTracing } from './telemetry/tracing.js';

function configOrExit<T = Config>(load: () => T = loadConfig as () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gatehouse: configuration error: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const workers = configOrExit(clusterWorkers);
  const role = clusterRole(workers);
  const log = createLogger(config);
  if (config.masterKeyGenerated) {
    log.warn(
      `GATEHOUSE_MASTER_KEY is unset: using a development key generated into ${join(config.dataDir, 'master.key')}. Never do this in production.`,
    );
  }
  if (role === 'primary') return runClusterPrimary(config, workers, log);

  if (await startTracing()) log.info('OpenTelemetry tracing on (OTEL_* variables)');
  // The composition root (boot/start.ts) listens before the database is reached: liveness
  // 200, readiness 503, everything else 503 until the bootstrap is done
  // (docs/operations.md "Starting while the database is down").
  const starting = await beginStart({ config, role, log });
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await starting.stop();
    await stopTracing().catch((err: unknown) => log.warn({ err }, 'tracing: the last spans could not be exported'));
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const gatehouse = await starting.ready;
  if (gatehouse.admin) printBanner(config, gatehouse.admin, gatehouse.demo);
}

/**
 * Cluster mode: the primary does what must happen once (the embedded database, indexes,
 * the system tenant and admin client; boot/open-runtime.ts), then forks the workers (cluster.ts).
 */
async function runClusterPrimary(config: Config, workers: number, log: ReturnType<typeof createLogger>): Promise<void> {
  const devDb = config.mongodbUri ? undefined : await startDevDatabase({ dataDir: config.dataDir, log: (m) => log.info(m) });
  if (devDb) log.info({ kind: devDb.kind }, 'embedded development database started');
  const uri = config.mongodbUri ?? devDb!.uri;
  let stopping = false;
  const stopEarly = (): void => {
    if (stopping) return;
    stopping = true;
    void (devDb?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
  };
  process.on('SIGTERM', stopEarly);
  process.on('SIGINT', stopEarly);
  const demoTenantFile = join(import.meta.dirname, '..', 'tenants', 'demo.yaml');
  const { store, admin, demo } = await openRuntime(config, { uri, log, clock: systemClock, role: 'primary', demoTenantFile });
  await store.close();
  process.removeListener('SIGTERM', stopEarly);
  process.removeListener('SIGINT', stopEarly);
  printBanner(config, admin!, demo);
  runPrimary({ workers, log, env: { MONGODB_URI: uri }, onStopped: async () => void (await devDb?.stop()) });
}

function printBanner(config: Config, admin: AdminCredentials, demo: DemoTenant | undefined): void {
  const u = config.publicUrl;
  const out: string[] = ['', `Gatehouse is listening on ${u}`, ''];
  if (demo) {
    out.push(`  Demo tenant discovery:  ${demo.tenant.issuer}/.well-known/openid-configuration`);
    for (const [id, secret] of Object.entries(demo.clientSecrets)) out.push(`  Demo client:            ${id} / ${secret}`);
    for (const usr of demo.users) out.push(`  Demo user:              ${usr.username} / ${usr.password}`);
    out.push('');
  }
  out.push(`  Admin GraphQL API:      ${u}/graphql`);
  if (!admin.clientId) {
    out.push('  Admin client:           none yet: set GATEHOUSE_ADMIN_CLIENT_ID and GATEHOUSE_ADMIN_CLIENT_SECRET and restart');
  } else {
    out.push(`  Admin client id:        ${admin.clientId}`);
    // Never a secret the operator supplied; a generated one only on the start that made it.
    if (admin.clientSecret)
      out.push(`  Admin client secret:    ${admin.clientSecret}   (generated now, shown this once; kept in ${admin.credentialsFile})`);
    else if (admin.fromEnvironment) out.push('  Admin client secret:    (GATEHOUSE_ADMIN_CLIENT_SECRET; not shown)');
    else if (admin.credentialsFile) out.push(`  Admin client secret:    (in ${admin.credentialsFile})`);
    else out.push('  Admin client secret:    (shown when it was generated; set GATEHOUSE_ADMIN_CLIENT_ID/SECRET to choose one)');
    const basic = admin.clientSecret
      ? `'${admin.clientId}:${admin.clientSecret}'`
      : admin.fromEnvironment
        ? '"$GATEHOUSE_ADMIN_CLIENT_ID:$GATEHOUSE_ADMIN_CLIENT_SECRET"'
        : null;
    if (basic) {
      out.push('', '  Try it:', '');
      out.push(`    TOKEN=$(curl -s -u ${basic} -d grant_type=client_credentials -d scope=admin \\`);
      out.push(`      ${u}/t/system/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`);
      out.push(`    curl -s ${u}/graphql -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`);
      out.push(`      -d '{"query":"{ tenants { edges { node { slug issuer } } } }"}'`);
    }
  }
  out.push('', `  Health: ${u}/healthz  Ready: ${u}/readyz  Metrics: ${u}/metrics`, '');
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`gatehouse: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
