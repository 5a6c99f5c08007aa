/**
 * Fault-test harness: a development database of one's own that a test can freeze, thaw,
 * kill and restart, plus Gatehouse servers on it (in-process, or real `src/main.ts`
 * processes that can be killed with any signal).
 *
 * The database is started with src/devdb/dev-database.ts exactly as the tests' shared one,
 * but with its own data directory (a temp folder), its own port and its own process group.
 * For FerretDB the connection string points at the serializing proxy, which lives in this
 * process: freezing stops the real server behind it (the proxy keeps the TCP connections
 * open, as a frozen primary does), killing it closes them. `restart()` reuses data and port,
 * so connection strings handed out before stay valid.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevDatabase, type DevDatabase, type DevDatabaseServer } from '../../src/devdb/dev-database.js';
import { startTestServer, testDatabaseName, type TestServer, type TestServerOptions } from './server.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface FaultDatabase {
  /** Connection string without a database name (stays valid across restarts). */
  uri: string;
  kind: DevDatabase['kind'];
  /** The server process (pid, port, data dir); its pid changes on restart. */
  server: DevDatabaseServer;
  /** SIGSTOP to the server's process group: TCP stays open, nothing answers. */
  freeze(): void;
  /** SIGCONT: a frozen server carries on where it stopped. */
  thaw(): void;
  /** SIGKILL to the process group; resolves when it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same data and port (killing it first if still running). */
  restart(): Promise<void>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Signals reach another process asynchronously: on a loaded machine the server may still
 * answer a request sent right after `kill(SIGSTOP)` returns. Wait (synchronously: callers
 * do not await freeze()) until /proc says it is stopped, for at most a second.
 */
function waitUntilStopped(pid: number): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < 1000; waited += 5) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'T' || state === 't') return;
    } catch {
      return; // no /proc (not Linux) or already gone
    }
    Atomics.wait(pause, 0, 0, 5);
  }
}

/** Starts a database server for one test file. */
export async function startFaultDatabase(opts: { label?: string; log?: (msg: string) => void } = {}): Promise<FaultDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), `gh-fault-${opts.label ?? 'db'}-`));
  const db = await startDevDatabase({
    dataDir,
    log: opts.log ?? (() => undefined),
    ownProcessGroup: true,
    requireServerProcess: true,
  });
  const server = db.server;
  if (!server) {
    await db.stop();
    throw new Error(`fault tests need a database server process (mongod or FerretDB), got ${db.kind}`);
  }
  return {
    uri: db.uri,
    kind: db.kind,
    server,
    freeze: () => {
      server.signal('SIGSTOP');
      waitUntilStopped(server.pid);
    },
    thaw: () => server.signal('SIGCONT'),
    kill: async () => {
      server.signal('SIGKILL');
      await server.exited();
    },
    restart: () => server.restart(),
    stop: async () => {
      await db.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * An in-process Gatehouse (test/helpers/server.ts) on the fault database. Pass the same
 * `dbName` to two calls for two replicas sharing one database.
 */
export function startServerOn(db: FaultDatabase, opts: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ ...opts, mongodbUri: db.uri });
}

export interface GatehouseProcess {
  url: string;
  pid: number;
  /** The database name it uses (MONGODB_DATABASE). */
  dbName: string;
  /** Sends a signal (default SIGTERM). */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Waits until `output()` matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export interface GatehouseProcessOptions {
  /** MongoDB connection string (without a database name). */
  mongodbUri: string;
  /** MONGODB_DATABASE; default a fresh test database name. Share it between processes for replicas. */
  dbName?: string;
  /** Extra environment (wins over the defaults below). */
  env?: Record<string, string>;
  /** Wait for this before resolving: 'listening' (/healthz answers, the default), 'ready' (/readyz 200) or 'spawned'. */
  waitFor?: 'listening' | 'ready' | 'spawned';
  timeoutMs?: number;
}

export const PROCESS_ADMIN_ID = 'fault-admin';
export const PROCESS_ADMIN_SECRET = 'fault-admin-secret-0123456789';

/**
 * A real Gatehouse process (`node --import tsx src/main.ts`, what `node dist/main.js` runs,
 * without needing a build) on the given database and a free port. Killed with SIGKILL when
 * the test process exits.
 */
export async function startGatehouseProcess(opts: GatehouseProcessOptions): Promise<GatehouseProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dbName = opts.dbName ?? testDatabaseName('proc');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      PORT: String(port),
      PUBLIC_URL: url,
      MONGODB_URI: opts.mongodbUri,
      MONGODB_DATABASE: dbName,
      GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64'),
      GATEHOUSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gh-proc-')),
      GATEHOUSE_ADMIN_CLIENT_ID: PROCESS_ADMIN_ID,
      GATEHOUSE_ADMIN_CLIENT_SECRET: PROCESS_ADMIN_SECRET,
      GATEHOUSE_CACHE_SYNC_SECONDS: '0.2',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
      // No key pool unless the test asks for one (as in test/helpers/server.ts).
      GATEHOUSE_KEY_POOL_TENANTS: '0',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })),
  );
  const killOnExit = (): void => {
    try {
      child.kill('SIGKILL');
    } catch {
      // gone
    }
  };
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  let gone = false;
  void exited.then(() => (gone = true));

  const proc: GatehouseProcess = {
    url,
    pid: child.pid as number,
    dbName,
    kill: (signal = 'SIGTERM') => {
      if (!gone) child.kill(signal);
    },
    exited,
    output: () => out,
    waitForOutput: async (pattern, timeoutMs = 30_000) => {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (gone) throw new Error(`gatehouse exited before printing ${pattern}:\n${out.slice(-3000)}`);
        if (Date.now() > until) throw new Error(`gatehouse did not print ${pattern} within ${timeoutMs} ms:\n${out.slice(-3000)}`);
        await sleep(50);
      }
    },
  };

  const waitFor = opts.waitFor ?? 'listening';
  if (waitFor === 'spawned') return proc;
  const path = waitFor === 'ready' ? '/readyz' : '/healthz';
  const until = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (gone) throw new Error(`gatehouse exited during start:\n${out.slice(-3000)}`);
    try {
      const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return proc;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      proc.kill('SIGKILL');
      throw new Error(`gatehouse did not answer 200 on ${path} within ${opts.timeoutMs ?? 60_000} ms:\n${out.slice(-3000)}`);
    }
    await sleep(100);
  }
}

/**
 * A call with a client-side deadline: its value, or an Error if it threw or did not answer
 * within `ms` (as a client would give up). Never throws; the answer is the assertion, not a
 * measured time.
 */
export async function within<T>(ms: number, fn: () => Promise<T>): Promise<T | Error> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Error>((resolve) => {
    timer = setTimeout(() => resolve(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([fn().catch((err: unknown) => err as Error), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createNetServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
