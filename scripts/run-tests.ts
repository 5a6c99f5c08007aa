/**
 * Test runner: `tsx scripts/run-tests.ts [node-test-options…] [files…]`
 *
 * - Uses MONGODB_URI if set; otherwise starts the development database
 *   (docs/databases.md) with data in `<GATEHOUSE_DATA_DIR or ./.data>/test`.
 * - Gives the test processes GATEHOUSE_TEST_MONGODB_URI (no database name) and
 *   GATEHOUSE_TEST_RUN_ID (random hex); test helpers name their databases
 *   `gh_test_<runid>_<something>`.
 * - Runs `node --import tsx --test` on the given files, or on every
 *   `test/**\/*.test.ts`. Arguments starting with `--` go to node before the files
 *   (e.g. `--test-name-pattern=…`).
 * - Afterwards drops this run's databases, stops the database it started and exits
 *   with the test process's exit code. Nothing is printed after node's summary
 *   unless clean-up fails (then a line on stderr).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { startDevDatabase, withoutDatabase, type DevDatabase } from '../src/devdb/dev-database.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

function findTestFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && entry.name.endsWith('.test.ts')) out.push(relative(root, p).split(sep).join('/'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

async function dropRunDatabases(uri: string, prefix: string): Promise<void> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
    for (const { name } of databases) {
      if (name.startsWith(prefix)) await client.db(name).dropDatabase();
    }
  } finally {
    await client.close().catch(() => undefined);
  }
}

function signalExitCode(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return signal ? 128 + (numbers[signal] ?? 0) : 1;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const nodeOptions = args.filter((a) => a.startsWith('--'));
  const explicitFiles = args.filter((a) => !a.startsWith('--'));
  const files = explicitFiles.length > 0 ? explicitFiles : findTestFiles(join(root, 'test'));
  if (files.length === 0) {
    log('run-tests: no test files found (looked for test/**/*.test.ts)');
    return 1;
  }

  const runId = randomBytes(6).toString('hex');
  let db: DevDatabase | undefined;
  let child: ChildProcess | undefined;
  let interrupted: NodeJS.Signals | undefined;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = signal;
    if (!child) {
      // Still starting the database (or building FerretDB): give up now. The
      // exit hook of dev-database terminates whatever it had started.
      log(`run-tests: ${signal} received before the tests started; exiting`);
      process.exit(signalExitCode(signal));
    }
    // The test process usually got the same signal from the terminal; make sure.
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  let uri: string;
  if (process.env.MONGODB_URI) {
    uri = withoutDatabase(process.env.MONGODB_URI);
  } else {
    const dataDir = join(resolve(process.env.GATEHOUSE_DATA_DIR || join(root, '.data')), 'test');
    db = await startDevDatabase({ dataDir, log });
    uri = db.uri;
  }
  log(`run-tests: database ${db ? db.kind : 'from MONGODB_URI'}, run id ${runId}, ${files.length} test file(s)`);

  const testArgs = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...nodeOptions, ...files];
  const code = await new Promise<number>((res) => {
    child = spawn(process.execPath, testArgs, {
      cwd: root,
      stdio: 'inherit',
      env: { NODE_ENV: 'test', ...process.env, GATEHOUSE_TEST_MONGODB_URI: uri, GATEHOUSE_TEST_RUN_ID: runId },
    });
    child.once('error', (err) => {
      log(`run-tests: could not start node: ${err.message}`);
      res(1);
    });
    child.once('exit', (c, signal) => res(c ?? signalExitCode(signal)));
  });

  try {
    await dropRunDatabases(uri, `gh_test_${runId}`);
  } catch (err) {
    log(`run-tests: could not drop test databases gh_test_${runId}*: ${(err as Error).message}`);
  }
  if (db) {
    try {
      await db.stop();
    } catch (err) {
      log(`run-tests: could not stop the ${db.kind} database: ${(err as Error).message}`);
    }
  }
  return interrupted && code === 0 ? signalExitCode(interrupted) : code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`run-tests: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
