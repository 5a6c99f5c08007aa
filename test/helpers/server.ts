import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCodeResolvers } from '../../src/claims/code-resolvers.js';
import type { Server } from 'node:http';
import { resilienceDefaults } from '../../src/config/defaults.js';
import { createHttpServer } from '../../src/http/http-server.js';
import type { AddressInfo } from 'node:net';
import { adminHandler } from '../../src/admin/server.js';
import { ensureAdminClient, ensureSystemTenant } from '../../src/boot/bootstrap.js';
import { ensureHashKey } from '../../src/boot/platform-secrets.js';
import { buildRuntime } from '../../src/boot/runtime.js';
import { loadConfig } from '../../src/config/index.js';
import { createApp } from '../../src/http/app.js';
import type { Runtime } from '../../src/runtime.js';
import { Store } from '../../src/store/index.js';
import { traceHttp } from '../../src/telemetry/http-spans.js';
import { traceMongoCommands } from '../../src/telemetry/mongo-spans.js';

export const ADMIN_ID = 'test-admin';
export const ADMIN_SECRET = 'test-admin-secret-0123456789';

/** The MongoDB-protocol server of this test run (scripts/run-tests.ts starts it). */
export function testDatabaseUri(): string {
  const uri = process.env.GATEHOUSE_TEST_MONGODB_URI ?? process.env.MONGODB_URI;
  if (!uri) throw new Error('run the tests with `npm test` (or scripts/run-tests.ts): GATEHOUSE_TEST_MONGODB_URI is unset');
  return uri;
}

/** A database of its own for each server: runs and files never see each other's data. */
export function testDatabaseName(label: string): string {
  const run = process.env.GATEHOUSE_TEST_RUN_ID ?? 'local';
  return `gh_test_${run}_${label.replace(/[^a-z0-9]/gi, '').slice(0, 20)}_${randomBytes(3).toString('hex')}`;
}

export interface TestServer {
  url: string;
  rt: Runtime;
  store: Store;
  dbName: string;
  /** `{url}/t/{slug}` */
  issuer(slug: string): string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  label?: string;
  /** Extra environment for loadConfig (PUBLIC_URL and the admin credentials are set). */
  env?: Record<string, string>;
  /** Share a database with another server (to test replicas). */
  dbName?: string;
  /** Another database server than the run's (fault tests: test/helpers/fault-db.ts). */
  mongodbUri?: string;
}

/** A real Gatehouse on a random loopback port, on the run's database server. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  let app: ((req: never, res: never) => void) | undefined;
  const server: Server = createHttpServer(
    { httpHeadersTimeoutMs: resilienceDefaults.headersTimeoutMs, httpRequestTimeoutMs: resilienceDefaults.requestTimeoutMs },
    (req, res) => (app ? app(req as never, res as never) : res.writeHead(503).end()),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const config = loadConfig({
    NODE_ENV: 'test',
    PUBLIC_URL: url,
    GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64'),
    GATEHOUSE_ADMIN_CLIENT_ID: ADMIN_ID,
    GATEHOUSE_ADMIN_CLIENT_SECRET: ADMIN_SECRET,
    MONGODB_URI: opts.mongodbUri ?? testDatabaseUri(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    GATEHOUSE_CACHE_SYNC_SECONDS: '0.2',
    // The tests' webhook receivers and RPs listen on 127.0.0.1 (security-outbound.test.ts turns it off).
    GATEHOUSE_OUTBOUND_ALLOW_LOOPBACK: 'true',
    // The shared test machine can be slow; the fault tests set the production default themselves.
    GATEHOUSE_DB_TIMEOUT_MS: '4000',
    ...opts.env,
  });
  server.headersTimeout = config.httpHeadersTimeoutMs;
  server.requestTimeout = config.httpRequestTimeoutMs;
  const dbName = opts.dbName ?? testDatabaseName(opts.label ?? 'srv');
  const store = await Store.open(config.mongodbUri!, dbName, { timeoutMs: config.dbTimeoutMs });
  // As main.ts does; both are no-ops unless a test started tracing (test/tracing.test.ts).
  traceMongoCommands(store.conn.getClient());
  let rt: Runtime;
  let graphql: Awaited<ReturnType<typeof adminHandler>>;
  try {
    await store.ensureIndexes();
    rt = buildRuntime(config, store);
    await ensureHashKey(rt);
    await loadCodeResolvers(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tenants'));
    const system = await ensureSystemTenant(rt);
    await ensureAdminClient(rt, system);
    rt.tenants.startSync(config.cacheSyncInterval * 1000);
    graphql = await adminHandler(rt);
    // The same pipeline as main.ts.
    app = traceHttp(createApp(rt, { adminHandler: graphql.handler })) as never;
  } catch (err) {
    // A server that failed to start must not keep the test process alive.
    server.close();
    await store.close();
    throw err;
  }

  return {
    url,
    rt,
    store,
    dbName,
    issuer: (slug) => `${url}/t/${slug}`,
    close: async () => {
      rt.tenants.stopSync();
      await rt.events.stop();
      await rt.logoutDeliveries.stop();
      await rt.outbox.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await graphql.stop();
      await store.close();
    },
  };
}
