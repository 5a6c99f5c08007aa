import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { sweepPendingTenants } from '../tenancy/tenant-creation.js';
import type { Runtime } from '../runtime.js';
import { Store } from '../store/index.js';
import { traceMongoCommands } from '../telemetry/mongo-spans.js';
import type { Clock } from '../time/clock.js';
import { ensureAdminClient, ensureSystemTenant, type AdminCredentials } from './bootstrap.js';
import { ensureDemoTenant, type DemoTenant } from './demo-tenant.js';
import { ensureHashKey } from './platform-secrets.js';
import { buildRuntime } from './runtime.js';
import { withDatabaseRetry } from './wait-for-database.js';

export interface OpenRuntimeOptions {
  /** The database server (config.mongodbUri, or the embedded development database's). */
  uri: string;
  log: Logger;
  clock: Clock;
  /**
   * 'worker': a cluster worker (or a seeding runtime) on a database another process has
   * set up: no indexes, no sweep, no system tenant. Otherwise all of that, idempotently.
   */
  role: 'single' | 'primary' | 'worker';
  /** The demo tenant's file (tenants/demo.yaml), created when config.demoTenant is on. */
  demoTenantFile?: string;
}

export interface OpenedRuntime {
  store: Store;
  rt: Runtime;
  /** The bootstrap admin client (not for workers). */
  admin?: AdminCredentials;
  demo?: DemoTenant;
}

/**
 * Connects the store and builds the runtime, retrying while the database is unreachable
 * (GATEHOUSE_DB_START_TIMEOUT_SECONDS), then makes what every deployment needs exist:
 * indexes, the keyed-hash key, the system tenant and its admin client.
 */
export function openRuntime(config: Config, o: OpenRuntimeOptions): Promise<OpenedRuntime> {
  const { log } = o;
  return withDatabaseRetry(
    async () => {
      const store = await Store.open(o.uri, config.mongodbDatabase, {
        timeoutMs: config.dbTimeoutMs,
        clock: o.clock,
        onAvailabilityChange: (state, reason) =>
          state === 'down'
            ? log.error({ reason }, 'database unreachable: answering 503 until it is back')
            : log.info({ reason }, 'database reachable again'),
      });
      // A no-op unless tracing is on (telemetry/tracing.ts); follows reconnects.
      store.onDriverClient((client) => traceMongoCommands(client));
      try {
        // Cluster workers skip what the primary did once for all of them.
        const setUp = o.role !== 'worker';
        if (setUp) {
          await store.ensureIndexes();
          // Older databases to the current `_id` scheme (store/migrations.ts), before serving.
          const moved = await store.migrate();
          if (moved.tenantSlugs || moved.clients) log.info(moved, 'store records brought to the current _id scheme');
        }
        const rt = buildRuntime(config, store, log, o.clock);
        await ensureHashKey(rt);
        if (!setUp) return { store, rt };
        // Tenants a crashed createTenant left PENDING are removed (tenancy/tenant-creation.ts).
        await sweepPendingTenants(rt);
        const system = await ensureSystemTenant(rt);
        const admin = await ensureAdminClient(rt, system);
        const demo = config.demoTenant && o.demoTenantFile ? await ensureDemoTenant(rt, o.demoTenantFile) : undefined;
        return { store, rt, admin, ...(demo ? { demo } : {}) };
      } catch (err) {
        await store.close().catch(() => undefined);
        throw err;
      }
    },
    { boundSeconds: config.dbStartTimeoutSeconds, log },
  );
}
