import { join } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openTestDb } from '../../test/helpers/db.js';
import type { GatehouseDatabase } from './gatehouse.js';

/** The key pool of the server under test (docs/keys.md "Key pool"), seen from the bench. */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The pool size a server runs with: its GATEHOUSE_KEY_POOL_TENANTS, or the default (config/defaults.ts). */
export async function poolTenantsOf(env: Record<string, string | undefined>): Promise<number> {
  const { keyPoolDefaults } = (await import(
    pathToFileURL(join(root, 'dist', 'config', 'defaults.js')).href
  )) as typeof import('../../src/config/defaults.js');
  const set = env.GATEHOUSE_KEY_POOL_TENANTS;
  return set !== undefined && set !== '' ? Number(set) : keyPoolDefaults.tenants;
}

/**
 * Waits (at most `maxSeconds`) until the key pool holds its target in every family, so
 * that a measurement does not share the CPU with the pool's background refill. Reads the
 * pool's collection beside the server, as the bench's other fixtures do.
 */
export async function waitForKeyPool(db: GatehouseDatabase, env: Record<string, string | undefined>, maxSeconds = 120): Promise<boolean> {
  const tenants = await poolTenantsOf(env);
  if (tenants === 0) return true;
  const { keyPoolTargets } = (await import(
    pathToFileURL(join(root, 'dist', 'keys', 'key-pool.js')).href
  )) as typeof import('../../src/keys/key-pool.js');
  const targets = keyPoolTargets(tenants);
  const raw = openTestDb(db.uri, db.name);
  try {
    const deadline = Date.now() + maxSeconds * 1000;
    while (Date.now() < deadline) {
      let full = true;
      for (const [family, target] of targets) if ((await raw.collection('key_pool').countDocuments({ family })) < target) full = false;
      if (full) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  } finally {
    await raw.close();
  }
}
