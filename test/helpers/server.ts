import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { BackgroundJobName, BackgroundJobs } from '../../src/boot/background-jobs.js';
import { startGatehouse } from '../../src/boot/start.js';
import { loadConfig } from '../../src/config/index.js';
import type { Runtime } from '../../src/runtime.js';
import type { Store } from '../../src/store/index.js';
import { TestClock } from './clock.js';
import { openTestDb, type TestDb } from './db.js';

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
  /** The runtime's clock: `srv.clock.advance(ms)` instead of sleeping until something expires. */
  clock: TestClock;
  /** Raw access to this server's database (test/helpers/db.ts), for what the store does not offer. */
  db: TestDb;
  /** The background jobs the server runs, as in production (boot/background-jobs.ts). */
  jobs: BackgroundJobs;
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
  /** The server's logger (default: one at TEST_LOG_LEVEL, silent unless set). */
  log?: Logger;
  /** Background jobs to leave off (only where a test drives the job itself). */
  without?: readonly BackgroundJobName[];
  /** A clock to share with another server (replicas); default a new one at real time. */
  clock?: TestClock;
}

/**
 * A real Gatehouse on a random loopback port, on the run's database server, started by
 * the same composition root as main.ts (src/boot/start.ts), background jobs included.
 */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dbName = opts.dbName ?? testDatabaseName(opts.label ?? 'srv');
  const uri = opts.mongodbUri ?? testDatabaseUri();
  const clock = opts.clock ?? new TestClock();
  const gatehouse = await startGatehouse({
    listen: { port: 0, host: '127.0.0.1' },
    config: (url) =>
      loadConfig({
        NODE_ENV: 'test',
        PUBLIC_URL: url,
        GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64'),
        GATEHOUSE_ADMIN_CLIENT_ID: ADMIN_ID,
        GATEHOUSE_ADMIN_CLIENT_SECRET: ADMIN_SECRET,
        MONGODB_URI: uri,
        MONGODB_DATABASE: dbName,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        GATEHOUSE_CACHE_SYNC_SECONDS: '0.2',
        // The tests' webhook receivers and RPs listen on 127.0.0.1 (security-outbound.test.ts turns it off).
        GATEHOUSE_OUTBOUND_ALLOW_LOOPBACK: 'true',
        // The shared test machine can be slow; the fault tests set the production default themselves.
        GATEHOUSE_DB_TIMEOUT_MS: '4000',
        // No key pool unless a test asks for one (test/key-pool.test.ts): many servers share two
        // cores, and each would otherwise generate its pool's RSA keys at start.
        GATEHOUSE_KEY_POOL_TENANTS: '0',
        ...opts.env,
      }),
    clock,
    // Many servers share one test process: no process-wide default metrics per server.
    processMetrics: false,
    ...(opts.without ? { without: opts.without } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  const url = gatehouse.url!;
  const db = openTestDb(uri, dbName);
  return {
    url,
    rt: gatehouse.rt,
    store: gatehouse.store,
    dbName,
    clock,
    db,
    jobs: gatehouse.jobs,
    issuer: (slug) => `${url}/t/${slug}`,
    close: async () => {
      await gatehouse.stop({ graceMs: 0 });
      await db.close();
    },
  };
}
