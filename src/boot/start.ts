import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { adminHandler } from '../admin/server.js';
import { loadCodeResolvers } from '../claims/code-resolvers.js';
import { resilienceDefaults } from '../config/defaults.js';
import type { Config } from '../config/index.js';
import { startDevDatabase, type DevDatabase } from '../devdb/dev-database.js';
import { createApp } from '../http/app.js';
import { createHttpServer } from '../http/http-server.js';
import { createMetricsServer } from '../http/metrics-endpoint.js';
import { HttpMetrics } from '../http/metrics.js';
import { startingListener } from '../http/starting.js';
import type { Runtime } from '../runtime.js';
import type { Store } from '../store/index.js';
import { traceHttp } from '../telemetry/http-spans.js';
import { systemClock, type Clock } from '../time/clock.js';
import { startBackgroundJobs, type BackgroundJobOptions, type BackgroundJobs } from './background-jobs.js';
import type { AdminCredentials } from './bootstrap.js';
import type { DemoTenant } from './demo-tenant.js';
import { openRuntime } from './open-runtime.js';
import { createLogger } from './runtime.js';

/** The repository's tenants/ folder (code resolvers, the demo tenant), from src/boot or dist/boot alike. */
const TENANTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tenants');

/**
 * The one composition root (docs/architecture.md, "Composition root"): main.ts, the
 * tests' servers and the bench all start Gatehouse here, so they run the same wiring.
 */
export interface StartOptions extends BackgroundJobOptions {
  /** The configuration, or a function of the listening URL (tests listen on port 0 and use it as PUBLIC_URL). */
  config: Config | ((listeningUrl: string) => Config);
  /** Where to listen (default: PORT on every interface); `false`: no HTTP at all (a seeding runtime). */
  listen?: { port: number; host?: string } | false;
  /** 'worker': a cluster worker, or a runtime on a database another process set up (open-runtime.ts). */
  role?: 'single' | 'worker';
  log?: Logger;
  /** What every expiry and schedule reads (default the system clock; tests pass one they can advance). */
  clock?: Clock;
  /** Prometheus' default process metrics (default on; off where many servers share one process). */
  processMetrics?: boolean;
  /** Folder of tenant files and code resolvers (default the repository's tenants/). */
  tenantsDir?: string;
}

export interface Gatehouse {
  /** `http://host:port` it listens on (undefined without HTTP). */
  url: string | undefined;
  server: Server | undefined;
  config: Config;
  rt: Runtime;
  store: Store;
  clock: Clock;
  jobs: BackgroundJobs;
  /** The bootstrap admin client (not on cluster workers). */
  admin?: AdminCredentials;
  demo?: DemoTenant;
  /** Graceful stop: no new connections, in-flight requests finish (at most `graceMs`, default 10 s), jobs, store, embedded database. */
  stop(opts?: { graceMs?: number }): Promise<void>;
}

/** A start under way: the port answers (liveness 200, everything else 503) until `ready`. */
export interface Starting {
  url: string | undefined;
  ready: Promise<Gatehouse>;
  /** Stops what has started so far (a signal during start); after `ready`, the same as its `stop()`. */
  stop(): Promise<void>;
}

export function startGatehouse(opts: StartOptions): Promise<Gatehouse> {
  return beginStart(opts).then((s) => s.ready);
}

/**
 * Listens first (a process still reaching its database is alive but not ready), then
 * connects the store, bootstraps, builds the HTTP pipeline and starts the background jobs.
 */
export async function beginStart(opts: StartOptions): Promise<Starting> {
  let listener: RequestListener = startingListener();
  let server: Server | undefined;
  let url: string | undefined;
  let config: Config;
  if (opts.listen === false) {
    config = typeof opts.config === 'function' ? opts.config('') : opts.config;
  } else {
    // The client time limits come from the configuration, which may depend on the URL: defaults until then.
    const early = typeof opts.config === 'function' ? undefined : opts.config;
    const limits = early ?? {
      httpHeadersTimeoutMs: resilienceDefaults.headersTimeoutMs,
      httpRequestTimeoutMs: resilienceDefaults.requestTimeoutMs,
    };
    const srv = createHttpServer(limits, (req, res) => listener(req, res));
    server = srv;
    const at = opts.listen;
    const port = at?.port ?? early?.port ?? 0;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      if (at?.host) srv.listen(port, at.host, resolve);
      else srv.listen(port, resolve);
    });
    const addr = srv.address() as AddressInfo;
    url = `http://${at?.host ?? '127.0.0.1'}:${addr.port}`;
    config = early ?? (opts.config as (u: string) => Config)(url);
    srv.headersTimeout = config.httpHeadersTimeoutMs;
    srv.requestTimeout = config.httpRequestTimeoutMs;
  }
  const log = opts.log ?? createLogger(config);
  const clock = opts.clock ?? systemClock;
  const tenantsDir = opts.tenantsDir ?? TENANTS_DIR;
  let devDb: DevDatabase | undefined;
  let started: Gatehouse | undefined;
  let stopping = false;

  const closeServer = async (graceMs: number): Promise<void> => {
    if (!server?.listening) return;
    const s = server;
    const force = setTimeout(() => s.closeAllConnections(), graceMs).unref();
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeIdleConnections();
    if (graceMs <= 0) s.closeAllConnections();
    await closed;
    clearTimeout(force);
  };

  const ready = (async (): Promise<Gatehouse> => {
    try {
      let uri = config.mongodbUri;
      if (!uri) {
        devDb = await startDevDatabase({ dataDir: config.dataDir, log: (m) => log.info(m) });
        uri = devDb.uri;
        log.info({ kind: devDb.kind }, 'embedded development database started');
      }
      // Tenants' code resolvers and hooks (tenants/<slug>/resolvers.ts, tenants/shared/resolvers.ts).
      for (const file of await loadCodeResolvers(tenantsDir)) log.info({ file }, 'code resolvers loaded');
      const role = opts.role ?? 'single';
      const opened = await openRuntime(config, { uri, log, clock, role, demoTenantFile: join(tenantsDir, 'demo.yaml') });
      const { rt, store } = opened;
      if (stopping) {
        await store.close();
        throw new Error('stopped during start');
      }
      const jobs = startBackgroundJobs(rt, opts);
      let stopHttp: () => Promise<void> = async () => undefined;
      let shuttingDown = false;
      if (server) {
        const graphql = await adminHandler(rt);
        const metrics = new HttpMetrics(opts.processMetrics ?? true);
        const app = createApp(rt, { adminHandler: graphql.handler, isShuttingDown: () => shuttingDown, metrics });
        listener = traceHttp(app);
        // METRICS_PORT: /metrics on its own listener (e.g. reachable only from the monitoring network).
        const metricsServer = config.metricsPort !== undefined ? createMetricsServer(metrics, config.metricsToken) : undefined;
        if (metricsServer) await new Promise<void>((resolve) => metricsServer.listen(config.metricsPort, resolve));
        stopHttp = async () => {
          metricsServer?.close();
          await graphql.stop();
        };
      }
      const gatehouse: Gatehouse = {
        url,
        server,
        config,
        rt,
        store,
        clock,
        jobs,
        ...(opened.admin ? { admin: opened.admin } : {}),
        ...(opened.demo ? { demo: opened.demo } : {}),
        stop: async ({ graceMs = 10_000 } = {}) => {
          if (shuttingDown) return;
          shuttingDown = true;
          stopping = true;
          log.info('shutting down: no new connections, finishing in-flight requests');
          await closeServer(graceMs);
          log.debug('http closed');
          await jobs.stop();
          await stopHttp();
          await store.close();
          log.debug('store closed');
          await devDb?.stop();
        },
      };
      started = gatehouse;
      return gatehouse;
    } catch (err) {
      // A start that failed must not keep the process alive (nor the port taken).
      await closeServer(0);
      await devDb?.stop();
      throw err;
    }
  })();
  ready.catch(() => undefined);

  return {
    url,
    ready,
    stop: async () => {
      if (started) return started.stop();
      // Still starting: nothing in flight worth finishing.
      stopping = true;
      await closeServer(0);
      await devDb?.stop();
    },
  };
}
