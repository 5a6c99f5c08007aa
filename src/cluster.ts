import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { ConfigError } from './config/index.js';

/**
 * Cluster mode (`WORKERS=N`): one primary process and N workers sharing the HTTP port.
 *
 * The primary does everything that must happen once — starting the embedded
 * development database, creating indexes, the system tenant and the admin client —
 * then forks the workers with MONGODB_URI pointing at that database. Workers only
 * serve; they are replicas in the sense of docs/operations.md (changes reach other replicas within a
 * few seconds): each has its own caches, kept fresh by the polled cache events.
 * Each worker has its own /metrics registry.
 */
export type ClusterRole = 'single' | 'primary' | 'worker';

const MAX_WORKERS = 64;
const RESTART_WINDOW_MS = 60_000;
const MAX_RESTARTS_PER_WINDOW = 5;
const STOP_GRACE_MS = 15_000;

/** WORKERS from the environment: 1 (no cluster) unless set. */
export function clusterWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WORKERS?.trim();
  if (!raw) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new ConfigError('WORKERS', `must be a whole number from 1 to ${MAX_WORKERS}`);
  return n;
}

export function clusterRole(workers: number): ClusterRole {
  if (cluster.isWorker) return 'worker';
  return workers > 1 ? 'primary' : 'single';
}

export interface PrimaryOptions {
  workers: number;
  log: Logger;
  /** Environment the workers get on top of the primary's (the database the primary started). */
  env: Record<string, string>;
  /** After every worker has stopped: release what the primary holds (the development database). */
  onStopped: () => Promise<void>;
}

/**
 * Forks the workers, replaces one that dies (unless they keep dying), and on
 * SIGTERM/SIGINT stops them all before releasing the primary's resources.
 */
export function runPrimary(o: PrimaryOptions): void {
  let stopping = false;
  const restarts: number[] = [];
  const fork = (): Worker => cluster.fork(o.env);

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    while (restarts.length && (restarts[0] as number) < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length >= MAX_RESTARTS_PER_WINDOW) {
      o.log.fatal({ pid: worker.process.pid, code, signal }, 'workers keep exiting; stopping the cluster');
      void stop('worker crash loop', 1);
      return;
    }
    restarts.push(now);
    o.log.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting a replacement');
    setTimeout(() => {
      if (!stopping) fork();
    }, 500).unref();
  });

  const stop = async (reason: string, exitCode = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    o.log.info({ reason }, 'stopping workers');
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    await Promise.all(
      alive.map(
        (w) =>
          new Promise<void>((resolve) => {
            const force = setTimeout(() => w.process.kill('SIGKILL'), STOP_GRACE_MS);
            w.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            w.process.kill('SIGTERM');
          }),
      ),
    );
    await o.onStopped();
    o.log.info('stopped');
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  for (let i = 0; i < o.workers; i++) fork();
  o.log.info({ workers: o.workers }, 'cluster primary: workers forked');
}
