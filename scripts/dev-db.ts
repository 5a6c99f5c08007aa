/**
 * Starts the development database (docs/databases.md) and keeps it running until
 * Ctrl-C / SIGTERM.
 *
 *   npx tsx scripts/dev-db.ts               start it, print its URI
 *   npx tsx scripts/dev-db.ts --build-only  only make sure the FerretDB binary is built
 *
 * Data lives in GATEHOUSE_DATA_DIR (default ./.data).
 */
import { resolve } from 'node:path';
import { ensureFerretDbBinary, startDevDatabase } from '../src/devdb/dev-database.js';

const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    log('usage: tsx scripts/dev-db.ts [--build-only]');
    return 0;
  }
  const unknown = args.filter((a) => a !== '--build-only');
  if (unknown.length > 0) {
    log(`dev-db: unknown argument(s): ${unknown.join(' ')}`);
    return 2;
  }

  if (args.includes('--build-only')) {
    const bin = await ensureFerretDbBinary({ log });
    log(`dev-db: FerretDB binary ready: ${bin}`);
    return 0;
  }

  if (process.env.MONGODB_URI) {
    log('dev-db: note: MONGODB_URI is set, so the app and the tests use that server, not this one.');
  }

  const dataDir = resolve(process.env.GATEHOUSE_DATA_DIR || '.data');
  let done: (code: number) => void = () => undefined;
  const finished = new Promise<number>((res) => {
    done = res;
  });

  const db = await startDevDatabase({
    dataDir,
    log,
    onUnexpectedExit: (err) => {
      log(`dev-db: ${err.message}`);
      done(1);
    },
  });

  process.stdout.write(`${db.uri}\n`);
  log(`dev-db: ${db.kind} is ready (data in ${dataDir}). Use e.g. MONGODB_URI=${db.uri}gatehouse`);
  log('dev-db: press Ctrl-C to stop.');

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log(`dev-db: ${signal} received, stopping ${db.kind}…`);
    db.stop().then(
      () => done(0),
      (err: unknown) => {
        log(`dev-db: stop failed: ${(err as Error).message}`);
        done(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  // Signal handlers do not keep the event loop alive; this does.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const code = await finished;
  clearInterval(keepAlive);
  if (!stopping) await db.stop();
  log('dev-db: stopped.');
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`dev-db: ${(err as Error).message}`);
    process.exit(1);
  },
);
