import type { RequestListener, Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminHandler } from './admin/server.js';
import { ensureAdminClient, ensureSystemTenant } from './boot/bootstrap.js';
import { ensureDemoTenant } from './boot/demo-tenant.js';
import { ensureHashKey } from './boot/platform-secrets.js';
import { buildRuntime, createLogger } from './boot/runtime.js';
import { clusterRole, clusterWorkers, runPrimary } from './cluster.js';
import { ConfigError, loadConfig, type Config } from './config/index.js';
import { startDevDatabase, type DevDatabase } from './devdb/dev-database.js';
import { createApp } from './http/app.js';
import { createHttpServer } from './http/http-server.js';
import { startingListener } from './http/starting.js';
import { withDatabaseRetry } from './boot/wait-for-database.js';
import { HttpMetrics } from './http/metrics.js';
import { createMetricsServer } from './http/metrics-endpoint.js';
import { loadCodeResolvers } from './claims/code-resolvers.js';
import { KeyRotationJob } from './keys/key-rotation-job.js';
import { sweepPendingTenants } from './tenancy/tenant-creation.js';
import { Store } from './store/index.js';
import { traceHttp } from './telemetry/http-spans.js';
import { traceMongoCommands } from './telemetry/mongo-spans.js';
import { startTracing, stopTracing } from './telemetry/tracing.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

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

  let devDb: DevDatabase | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    devDb = await startDevDatabase({ dataDir: config.dataDir, log: (m) => log.info(m) });
    uri = devDb.uri;
    log.info({ kind: devDb.kind }, 'embedded development database started');
  }
  if (role !== 'primary' && (await startTracing())) log.info('OpenTelemetry tracing on (OTEL_* variables)');
  // Listen before the database is reached: liveness 200, readiness 503, everything else
  // 503 until the bootstrap below is done (docs/operations.md "Starting while the database is down").
  let listener: RequestListener = startingListener();
  let server: Server | undefined;
  let shuttingDown = false;
  let shutdown = async (signal: string): Promise<void> => {
    // Still starting: nothing in flight worth finishing.
    log.info({ signal }, 'stopping during start');
    server?.close();
    server?.closeAllConnections();
    if (devDb) await devDb.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  if (role !== 'primary') {
    const srv = createHttpServer(config, (req, res) => listener(req, res));
    server = srv;
    await new Promise<void>((resolve) => srv.listen(config.port, resolve));
  }

  // Tenants' code resolvers and hooks (tenants/<slug>/resolvers.ts, tenants/shared/resolvers.ts).
  for (const file of await loadCodeResolvers(join(root, 'tenants'))) log.info({ file }, 'code resolvers loaded');
  const dbUri = uri;
  const { store, rt, admin, demo } = await withDatabaseRetry(
    async () => {
      const store = await Store.open(dbUri, config.mongodbDatabase, {
        timeoutMs: config.dbTimeoutMs,
        onAvailabilityChange: (state, reason) =>
          state === 'down'
            ? log.error({ reason }, 'database unreachable: answering 503 until it is back')
            : log.info({ reason }, 'database reachable again'),
      });
      traceMongoCommands(store.conn.getClient());
      try {
        // Cluster workers skip what the primary did once for all of them.
        if (role !== 'worker') await store.ensureIndexes();
        const rt = buildRuntime(config, store, log);
        await ensureHashKey(rt);
        // Tenants a crashed createTenant left PENDING are removed (tenancy/tenant-creation.ts).
        if (role !== 'worker') await sweepPendingTenants(rt);
        const system = role === 'worker' ? undefined : await ensureSystemTenant(rt);
        const admin = system ? await ensureAdminClient(rt, system) : undefined;
        const demo = system && config.demoTenant ? await ensureDemoTenant(rt, join(root, 'tenants', 'demo.yaml')) : undefined;
        return { store, rt, admin, demo };
      } catch (err) {
        await store.close().catch(() => undefined);
        throw err;
      }
    },
    { boundSeconds: config.dbStartTimeoutSeconds, log },
  );
  if (role === 'primary') {
    await store.close();
    printBanner(config, admin!, demo);
    runPrimary({ workers, log, env: { MONGODB_URI: uri }, onStopped: async () => void (await devDb?.stop()) });
    return;
  }
  rt.tenants.startSync(config.cacheSyncInterval * 1000);
  // Every process runs the timer; a database lease lets only one of them rotate.
  const keyRotation = new KeyRotationJob(rt);
  keyRotation.start();
  // Resumes event deliveries a previous run (or another replica) left pending.
  rt.events.start();
  // And back-channel logout tokens still due (events/logout-delivery.ts).
  rt.logoutDeliveries.start();

  const graphql = await adminHandler(rt);
  const metrics = new HttpMetrics(true);
  const app = createApp(rt, { adminHandler: graphql.handler, isShuttingDown: () => shuttingDown, metrics });
  listener = traceHttp(app);
  const httpServer = server!;
  // METRICS_PORT: /metrics on its own listener (e.g. reachable only from the monitoring network).
  const metricsServer = config.metricsPort !== undefined ? createMetricsServer(metrics, config.metricsToken) : undefined;
  if (metricsServer) await new Promise<void>((resolve) => metricsServer.listen(config.metricsPort, resolve));

  if (admin) printBanner(config, admin, demo);

  shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const force = setTimeout(() => httpServer.closeAllConnections(), 10_000).unref();
    httpServer.close();
    metricsServer?.close();
    httpServer.closeIdleConnections();
    await new Promise<void>((resolve) => httpServer.once('close', () => resolve()));
    clearTimeout(force);
    log.debug('http closed');
    rt.tenants.stopSync();
    await keyRotation.stop();
    await rt.events.stop();
    await rt.logoutDeliveries.stop();
    await rt.outbox.stop();
    await graphql.stop();
    log.debug('graphql stopped');
    await store.close();
    log.debug('store closed');
    if (devDb) await devDb.stop();
    await stopTracing().catch((err: unknown) => log.warn({ err }, 'tracing: the last spans could not be exported'));
    log.info('stopped');
    process.exit(0);
  };
}

function printBanner(
  config: Config,
  admin: Awaited<ReturnType<typeof ensureAdminClient>>,
  demo: Awaited<ReturnType<typeof ensureDemoTenant>> | undefined,
): void {
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
