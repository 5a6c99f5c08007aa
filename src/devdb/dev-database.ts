/**
 * Development/test database launcher (docs/databases.md).
 *
 * When MONGODB_URI is unset, the project's own scripts start a real
 * MongoDB-protocol server, in this order of preference:
 *
 *   1. `mongod` from PATH, data in `<dataDir>/mongod/`;
 *   2. FerretDB v1.24.2 (SQLite backend, data in `<dataDir>/ferretdb/`), built
 *      once with Go into a per-machine cache directory;
 *   3. mongodb-memory-server-core, if installed (it downloads a mongod).
 *
 * The server listens on loopback only, on a free port. The returned URI has
 * no database name; callers choose the database.
 *
 * Only the Node standard library and the `mongodb` driver are used. Importing
 * this module has no side effects.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MongoClient } from 'mongodb';
import { applyFerretDbPatches, PATCH_LEVEL } from './ferretdb-patches.js';
import { startSerializingProxy, type SerializingProxy } from './serializing-proxy.js';

export type DevDatabaseKind = 'mongod' | 'ferretdb' | 'memory';

export interface DevDatabase {
  /** Connection string without a database name, e.g. `mongodb://127.0.0.1:40123/`. */
  uri: string;
  kind: DevDatabaseKind;
  /** Stops the server: SIGTERM, then SIGKILL after 5 s. Idempotent. */
  stop(): Promise<void>;
  /** The server process (mongod, FerretDB); absent for mongodb-memory-server. Fault tests use it. */
  server?: DevDatabaseServer;
}

/** Control over the database server process, for fault tests (test/helpers/fault-db.ts). */
export interface DevDatabaseServer {
  /** pid of the current server process (a new one after `restart()`); with `processGroup` also its process group id. */
  readonly pid: number;
  /** Whether the server leads its own process group (`ownProcessGroup`), so signals reach exactly it. */
  readonly processGroup: boolean;
  /** The server's own port; `uri` may point at a proxy in front of it. Kept across restarts. */
  readonly port: number;
  /** The data directory given to `startDevDatabase`. */
  readonly dataDir: string;
  /** Sends a signal to the server (to its process group when it has one). */
  signal(sig: NodeJS.Signals): void;
  /** Resolves when the current server process has exited. */
  exited(): Promise<void>;
  /** Stops the current process if still running and starts a new one on the same data and port; resolves when it accepts connections. */
  restart(): Promise<void>;
}

export interface StartDevDatabaseOptions {
  /** Root data directory, e.g. `./.data` or `./.data/test`. */
  dataDir: string;
  /** Progress messages (one line each). Defaults to stderr. */
  log?: (msg: string) => void;
  /** Called if the server exits without `stop()` having been called. */
  onUnexpectedExit?: (err: Error) => void;
  /** The server's port (default: a free one). */
  port?: number;
  /** Start the server as the leader of its own process group (fault tests freeze it with SIGSTOP). */
  ownProcessGroup?: boolean;
  /** Refuse the mongodb-memory-server fallback (it offers no process control). */
  requireServerProcess?: boolean;
}

export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
/** Oldest Go that builds FerretDB v1.24.2 (its go.mod says `go 1.24`). */
const FERRETDB_MIN_GO: readonly [number, number] = [1, 24];

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const STDERR_TAIL_LINES = 40;

const defaultLog = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

// ---------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------

export async function startDevDatabase(opts: StartDevDatabaseOptions): Promise<DevDatabase> {
  const log = opts.log ?? defaultLog;
  const dataDir = resolve(opts.dataDir);

  const mongod = await findExecutable('mongod');
  if (mongod) {
    log(`devdb: starting mongod (${mongod})`);
    return startServer({
      kind: 'mongod',
      bin: mongod,
      dataDir,
      log,
      onUnexpectedExit: opts.onUnexpectedExit,
      port: opts.port,
      ownProcessGroup: opts.ownProcessGroup,
    });
  }

  let ferretProblem: string;
  try {
    const bin = await ensureFerretDbBinary({ log });
    log(`devdb: starting FerretDB ${FERRETDB_VERSION} (SQLite, ${join(dataDir, 'ferretdb')})`);
    return await startServer({
      kind: 'ferretdb',
      bin,
      dataDir,
      log,
      onUnexpectedExit: opts.onUnexpectedExit,
      port: opts.port,
      ownProcessGroup: opts.ownProcessGroup,
    });
  } catch (err) {
    if (!(err instanceof FerretDbUnavailableError)) throw err;
    ferretProblem = err.message;
    if (opts.requireServerProcess) throw err;
    log(`devdb: ${ferretProblem}; trying mongodb-memory-server-core`);
  }

  return startMemoryServer(log, ferretProblem);
}

/** Thrown when FerretDB cannot be built here (no Go, failed build). */
export class FerretDbUnavailableError extends Error {
  override name = 'FerretDbUnavailableError';
}

/** Where the FerretDB binary lives: `GATEHOUSE_FERRETDB_BIN` or the per-machine cache. */
export function ferretDbBinaryPath(): string {
  const override = process.env.GATEHOUSE_FERRETDB_BIN;
  if (override) return resolve(override);
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'gatehouse', `ferretdb-${FERRETDB_VERSION}-p${PATCH_LEVEL}`, 'ferretdb');
}

/**
 * Returns the path of a working FerretDB binary, building it first if needed.
 *
 * `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` is not used
 * directly, for two reasons:
 *  - the binary it produces panics at start ("Invalid build/version/version.txt
 *    file content"): that file is generated and is not part of the module zip;
 *  - it looks up the module's version list to check for deprecation, which some
 *    module mirrors refuse (403), failing the install.
 * So the same module version is fetched with `go mod download` (checksum
 * verified as usual), copied to a temporary directory, given its version.txt,
 * and built there with the module's own go.mod/go.sum, which is what
 * `go install pkg@version` builds too.
 */
export async function ensureFerretDbBinary(opts: { log?: (msg: string) => void } = {}): Promise<string> {
  const log = opts.log ?? defaultLog;
  const target = ferretDbBinaryPath();
  if (await isExecutable(target)) return target;

  const go = await findGo();
  if (!go) {
    throw new FerretDbUnavailableError(
      `no mongod on PATH and no FerretDB at ${target}, and Go is not installed to build it ` +
        `(install Go >= ${FERRETDB_MIN_GO.join('.')}, or set MONGODB_URI)`,
    );
  }

  const started = Date.now();
  log(`devdb: building FerretDB ${FERRETDB_VERSION} with ${go} into ${target} (one time; takes a minute or two)`);
  const progress = { modules: 0 };
  const ticker = setInterval(() => {
    const fetched = progress.modules > 0 ? `, ${progress.modules} Go modules fetched` : '';
    log(`devdb: still building FerretDB… ${Math.round((Date.now() - started) / 1000)} s${fetched}`);
  }, 15_000);
  const work = await mkdtemp(join(tmpdir(), 'gatehouse-ferretdb-build-'));
  try {
    await buildFerretDb(go, target, work, log, progress);
  } catch (err) {
    throw new FerretDbUnavailableError(`building FerretDB failed: ${(err as Error).message}`);
  } finally {
    clearInterval(ticker);
    await makeWritable(work).catch(() => undefined);
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
  log(`devdb: FerretDB built in ${Math.round((Date.now() - started) / 1000)} s`);
  return target;
}

// ---------------------------------------------------------------------------
// FerretDB build
// ---------------------------------------------------------------------------

async function buildFerretDb(
  go: string,
  target: string,
  work: string,
  log: (msg: string) => void,
  progress: { modules: number },
): Promise<void> {
  const goVersion = await goMinorVersion(go, work);
  const env: NodeJS.ProcessEnv = { ...process.env, GOWORK: 'off', GOFLAGS: process.env.GOFLAGS ?? '' };
  // Drop flags that would change module mode (e.g. -mod=vendor); keep the rest.
  env.GOFLAGS = (env.GOFLAGS ?? '')
    .split(/\s+/)
    .filter((f) => f && !f.startsWith('-mod='))
    .join(' ');
  if (goVersion && compareVersion(goVersion, FERRETDB_MIN_GO) < 0) {
    if (compareVersion(goVersion, [1, 21]) < 0) {
      throw new Error(`Go ${goVersion.join('.')} is too old; FerretDB ${FERRETDB_VERSION} needs Go >= ${FERRETDB_MIN_GO.join('.')}`);
    }
    // Go >= 1.21 can fetch the required toolchain through the module proxy.
    env.GOTOOLCHAIN = 'auto';
  }

  // 1. Fetch the module source (verified against go.sum database as usual).
  const dl = await run(go, ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], {
    cwd: work,
    env,
    log,
    echo: true,
    progress,
  });
  let info: { Dir?: string; Error?: string; Origin?: { Hash?: string } };
  try {
    info = JSON.parse(dl.stdout) as typeof info;
  } catch {
    throw new Error(`unexpected output from go mod download: ${tail(dl.stdout + dl.stderr)}`);
  }
  if (dl.code !== 0 || info.Error || !info.Dir) {
    throw new Error(`go mod download failed: ${info.Error ?? tail(dl.stderr)}`);
  }

  // 2. Copy it somewhere writable and add the generated version files.
  const src = join(work, 'src');
  await cp(info.Dir, src, { recursive: true });
  await makeWritable(src);
  const versionDir = join(src, 'build', 'version');
  await writeFile(join(versionDir, 'version.txt'), `${FERRETDB_VERSION}\n`);
  if (info.Origin?.Hash) await writeFile(join(versionDir, 'commit.txt'), `${info.Origin.Hash}\n`);
  await writeFile(join(versionDir, 'branch.txt'), 'unknown\n');
  await applyFerretDbPatches(src, { read: (f) => readFile(f, 'utf8'), write: (f, text) => writeFile(f, text) });
  await writeFile(join(versionDir, 'package.txt'), 'gatehouse-dev\n');

  // 3. Build next to the target, check it runs, then move it into place atomically.
  await mkdir(dirname(target), { recursive: true });
  const tmpTarget = `${target}.tmp-${process.pid}`;
  const build = await run(go, ['build', '-trimpath', '-buildvcs=false', '-o', tmpTarget, './cmd/ferretdb'], {
    cwd: src,
    env: { ...env, GOBIN: dirname(target) },
    log,
    echo: true,
    progress,
  });
  if (build.code !== 0) {
    await rm(tmpTarget, { force: true });
    throw new Error(`go build exited with ${build.code}: ${tail(build.stderr)}`);
  }
  const check = await run(tmpTarget, ['--version'], { cwd: work, env: process.env, log });
  if (check.code !== 0 || !check.stdout.includes(FERRETDB_VERSION)) {
    await rm(tmpTarget, { force: true });
    throw new Error(`built binary does not run: ${tail(check.stdout + check.stderr)}`);
  }
  await rename(tmpTarget, target);
}

async function goMinorVersion(go: string, cwd: string): Promise<[number, number] | undefined> {
  const r = await run(go, ['env', 'GOVERSION'], { cwd, env: { ...process.env, GOWORK: 'off' } });
  const m = /go(\d+)\.(\d+)/.exec(r.stdout);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function compareVersion(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

/** Module-cache copies are read-only; make a tree writable so it can be edited and deleted. */
async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(p);
    else if (entry.isFile()) await chmod(p, 0o644);
  }
}

// ---------------------------------------------------------------------------
// Server processes (mongod, FerretDB)
// ---------------------------------------------------------------------------

interface ServerSpec {
  kind: 'mongod' | 'ferretdb';
  bin: string;
  dataDir: string;
  log: (msg: string) => void;
  onUnexpectedExit?: ((err: Error) => void) | undefined;
  port?: number | undefined;
  ownProcessGroup?: boolean | undefined;
}

async function startServer(spec: ServerSpec): Promise<DevDatabase> {
  // A free port can be taken by someone else between probing and binding; retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(spec);
    } catch (err) {
      if (attempt < 3 && err instanceof PortInUseError) {
        spec.log(`devdb: port was taken, retrying (${(err as Error).message.split('\n')[0]})`);
        continue;
      }
      throw err;
    }
  }
}

class PortInUseError extends Error {}

async function startServerOnce(spec: ServerSpec): Promise<DevDatabase> {
  const port = spec.port ?? (await freePort());
  let args: string[];
  if (spec.kind === 'ferretdb') {
    const dir = join(spec.dataDir, 'ferretdb');
    await mkdir(dir, { recursive: true });
    const debugPort = await freePort();
    args = [
      `--listen-addr=127.0.0.1:${port}`,
      '--handler=sqlite',
      // WAL with synchronous=NORMAL: commits skip the fsync (a development database may lose
      // its last transactions on power loss, never its consistency).
      `--sqlite-url=${pathToFileURL(dir).href}/?_pragma=synchronous(normal)`,
      `--state-dir=${dir}`,
      `--debug-addr=127.0.0.1:${debugPort}`,
      '--telemetry=disable',
      '--log-level=WARN',
    ];
  } else {
    const dir = join(spec.dataDir, 'mongod');
    await mkdir(dir, { recursive: true });
    args = ['--dbpath', dir, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'];
  }

  let stopping = false;
  const serverUri = `mongodb://127.0.0.1:${port}/`;
  let current = await launch(spec, args, serverUri, () => stopping);

  // FerretDB 1.24 runs findAndModify/update as read-then-write without any
  // locking, so concurrent conditional updates on different connections can both
  // "win". Clients therefore reach it through a loopback proxy that lets one
  // request at a time through, which restores MongoDB's single-document
  // atomicity (docs/databases.md). GATEHOUSE_FERRETDB_DIRECT=1 skips the proxy.
  let proxy: SerializingProxy | undefined;
  if (spec.kind === 'ferretdb' && process.env.GATEHOUSE_FERRETDB_DIRECT !== '1') {
    try {
      proxy = await startSerializingProxy(port);
    } catch (err) {
      stopping = true;
      await killAndWait(current.child, current.exited);
      throw err;
    }
  }
  const uri = proxy ? `mongodb://127.0.0.1:${proxy.port}/` : serverUri;

  const server: DevDatabaseServer = {
    get pid() {
      return current.child.pid as number;
    },
    processGroup: spec.ownProcessGroup === true,
    port,
    dataDir: spec.dataDir,
    signal(sig) {
      const pid = current.child.pid as number;
      try {
        process.kill(spec.ownProcessGroup ? -pid : pid, sig);
      } catch {
        // already gone
      }
    },
    exited: () => current.exited,
    async restart() {
      if (stopping) throw new Error('devdb: restart after stop()');
      server.signal('SIGCONT'); // a frozen server cannot even die of SIGTERM
      await killAndWait(current.child, current.exited);
      // The proxy (if any) keeps its port and reconnects to the same server port.
      current = await launch(spec, args, serverUri, () => stopping);
    },
  };

  let stopPromise: Promise<void> | undefined;
  return {
    uri,
    kind: spec.kind,
    server,
    stop(): Promise<void> {
      stopping = true;
      stopPromise ??= (async () => {
        await proxy?.close();
        server.signal('SIGCONT');
        await killAndWait(current.child, current.exited);
      })();
      return stopPromise;
    },
  };
}

interface Launched {
  child: ChildProcess;
  exited: Promise<void>;
}

/** Spawns the server process and waits until it accepts connections. */
async function launch(spec: ServerSpec, args: string[], serverUri: string, stopping: () => boolean): Promise<Launched> {
  const child = spawn(spec.bin, args, {
    cwd: spec.dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
    // Its own process group, so a test can freeze (SIGSTOP) exactly the server.
    detached: spec.ownProcessGroup === true,
  });
  const output = new TailBuffer(STDERR_TAIL_LINES);
  child.stdout?.on('data', (b: Buffer) => output.push(b));
  child.stderr?.on('data', (b: Buffer) => output.push(b));
  trackChild(child);

  let ready = false;
  const exited = new Promise<void>((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res();
    else child.once('exit', () => res());
  });
  const spawnError = new Promise<Error>((res) => child.on('error', res));
  child.once('exit', (code, signal) => {
    untrackChild(child);
    if (!stopping() && ready && spec.onUnexpectedExit) {
      spec.onUnexpectedExit(new Error(`${spec.kind} exited unexpectedly (${signal ?? `code ${code}`}):\n${output.text()}`));
    }
  });

  const failure = await waitUntilReady(serverUri, child, exited, spawnError);
  if (failure) {
    await killAndWait(child, exited);
    const text = output.text();
    const msg = `${spec.kind} (${spec.bin} ${args.join(' ')}) ${failure}${text ? `; its output ends with:\n${text}` : ''}`;
    throw /address already in use/i.test(text) ? new PortInUseError(msg) : new Error(msg);
  }
  ready = true;

  // Do not keep the parent alive just for the server; the exit hook kills it.
  child.unref();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  return { child, exited };
}

async function waitUntilReady(
  uri: string,
  child: ChildProcess,
  exited: Promise<void>,
  spawnError: Promise<Error>,
): Promise<string | undefined> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let gone: string | undefined;
  void exited.then(() => {
    gone = `exited before accepting connections (${child.signalCode ?? `code ${child.exitCode}`})`;
  });
  void spawnError.then((e) => {
    gone = `could not be started: ${e.message}`;
  });
  let lastError = '';
  while (Date.now() < deadline) {
    if (gone) return gone;
    const client = new MongoClient(uri, {
      serverSelectionTimeoutMS: 1000,
      connectTimeoutMS: 1000,
      directConnection: true,
    });
    try {
      await client.db('admin').command({ ping: 1 });
      return undefined;
    } catch (err) {
      lastError = (err as Error).message;
    } finally {
      await client.close().catch(() => undefined);
    }
    if (gone) return gone;
    await sleep(200);
  }
  return `did not accept connections within ${READY_TIMEOUT_MS / 1000} s (last error: ${lastError})`;
}

async function killAndWait(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.ref(); // keep the event loop alive until it is gone
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((res) => {
      timer = setTimeout(() => res(true), STOP_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

// Children still running when the parent exits get SIGTERM (synchronously, from
// the `exit` hook). The hook is installed on first use, not at import time.
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of liveChildren) {
        try {
          c.kill('SIGTERM');
        } catch {
          // already gone
        }
      }
    });
  }
}

function untrackChild(child: ChildProcess): void {
  liveChildren.delete(child);
}

// ---------------------------------------------------------------------------
// mongodb-memory-server-core (last resort)
// ---------------------------------------------------------------------------

interface MemoryServerModule {
  MongoMemoryServer: {
    create(opts?: { instance?: { ip?: string } }): Promise<{ getUri(): string; stop(): Promise<boolean> }>;
  };
}

async function startMemoryServer(log: (msg: string) => void, ferretProblem: string): Promise<DevDatabase> {
  // A variable specifier keeps TypeScript from requiring the (optional) package.
  const specifier = 'mongodb-memory-server-core';
  let mod: MemoryServerModule;
  try {
    mod = (await import(specifier)) as MemoryServerModule;
  } catch (err) {
    throw new Error(
      `No development database is available: ${ferretProblem}; and mongodb-memory-server-core is not installed ` +
        `(${(err as Error).message.split('\n')[0]}). ` +
        'Fix one of: set MONGODB_URI to a MongoDB server; put mongod on PATH; install Go >= 1.24 so FerretDB can be built; ' +
        'or `npm install --no-save mongodb-memory-server-core` (it downloads a mongod on first use).',
      { cause: err },
    );
  }
  log('devdb: starting mongodb-memory-server (may download a mongod binary)');
  const server = await mod.MongoMemoryServer.create({ instance: { ip: '127.0.0.1' } });
  const uri = withoutDatabase(server.getUri());
  let stopPromise: Promise<void> | undefined;
  return {
    uri,
    kind: 'memory',
    stop(): Promise<void> {
      stopPromise ??= server.stop().then(() => undefined);
      return stopPromise;
    },
  };
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/**
 * Removes the database path from a MongoDB connection string, keeping hosts and
 * options. If credentials were given with a database path and no authSource,
 * that database stays the authSource, as it was.
 */
export function withoutDatabase(uri: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/.exec(uri);
  if (!m) return uri;
  const [, base = '', db = '', query = ''] = m;
  const params = new URLSearchParams(query);
  if (db && base.includes('@') && !params.has('authSource')) params.set('authSource', decodeURIComponent(db));
  const q = params.toString();
  return `${base}/${q ? `?${q}` : ''}`;
}

async function findExecutable(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (await isExecutable(p)) return p;
  }
  return undefined;
}

async function findGo(): Promise<string | undefined> {
  const onPath = await findExecutable('go');
  if (onPath) return onPath;
  const candidates = [process.env.GOROOT ? join(process.env.GOROOT, 'bin', 'go') : '', '/usr/local/go/bin/go', '/usr/lib/go/bin/go'];
  for (const c of candidates) if (c && (await isExecutable(c))) return c;
  return undefined;
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    await access(p, fsConstants.X_OK);
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === 'object') res(addr.port);
        else rej(new Error('could not determine a free port'));
      });
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

class TailBuffer {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }
  text(): string {
    return [...this.lines, this.partial].filter((l) => l.length > 0).join('\n');
  }
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion. With `echo`, stderr lines are passed to `log` as
 * they arrive, except Go's "go: downloading …" lines, which are only counted.
 */
function run(
  cmd: string,
  args: string[],
  o: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    log?: (msg: string) => void;
    echo?: boolean;
    progress?: { modules: number };
  },
): Promise<RunResult> {
  return new Promise((res) => {
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout?.on('data', (b: Buffer) => {
      stdout += b.toString('utf8');
    });
    child.stderr?.on('data', (b: Buffer) => {
      const s = b.toString('utf8');
      stderr += s;
      if (o.echo && o.log) {
        const parts = (partial + s).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) {
          if (line.startsWith('go: downloading ')) {
            if (o.progress) o.progress.modules++;
          } else if (line.trim()) {
            o.log(`devdb:   ${line}`);
          }
        }
      }
    });
    child.once('error', (err) => {
      untrackChild(child);
      res({ code: -1, stdout, stderr: `${stderr}${err.message}` });
    });
    child.once('close', (code, signal) => {
      untrackChild(child);
      res({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
