import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import { keyPoolDefaults, type SigningAlg } from '../config/defaults.js';
import type { Runtime } from '../runtime.js';
import type { Store } from '../store/index.js';
import type { Envelope } from './envelope.js';
import { algsOf, familyOf, KEY_FAMILIES, type KeyFamily } from './families.js';
import { generateKeyMaterial, signingKeyFromMaterial } from './key-generation.js';
import type { KeyPoolPairRecord } from './key-pool-record.js';
import type { SigningKeyRecord } from './key-record.js';

/**
 * The key pool (docs/keys.md "Key pool"): key pairs generated ahead of time, off the
 * request path, so that createTenant does not wait for eight key generations (four of
 * them RSA-2048). Hygiene rules: a pair is sealed under the master key like every private
 * key (bound to its pool id, then re-sealed for its tenant and kid at claim); a claim
 * deletes it from the pool atomically, so no pair serves two keys; its kid, algorithm and
 * tenant are assigned at claim; a pair older than keyPoolDefaults.maxAgeMs or sealed under
 * another master key is never handed out (and the refill job removes it); nothing ever
 * returns a pair to the pool (a deleted tenant's keys are gone with it).
 */

/** The AES-GCM additional data of a pooled private key: bound to its pool document, usable nowhere else. */
export const poolContext = (pairId: string): string => `key-pool:${pairId}`;

/** Pairs of each family that a tenant with every family takes: an ACTIVE and a NEXT key per algorithm. */
const PAIRS_PER_TENANT = new Map<KeyFamily, number>(KEY_FAMILIES.map((f) => [f, 2 * algsOf([f]).length]));

/** How many pairs the pool keeps per family for `tenants` new tenants' worth (GATEHOUSE_KEY_POOL_TENANTS). */
export const keyPoolTargets = (tenants: number): Map<KeyFamily, number> =>
  new Map(KEY_FAMILIES.map((f) => [f, tenants * (PAIRS_PER_TENANT.get(f) ?? 0)]));

/** The oldest creation time a usable pair may have at `now`. */
export const poolCutoff = (now: Date): Date => new Date(now.getTime() - keyPoolDefaults.maxAgeMs);

/** A new pool pair of `family`, sealed under the master key for its pool id. */
export async function makePoolPair(envelope: Envelope, family: KeyFamily, now: Date): Promise<KeyPoolPairRecord> {
  const _id = randomUUID();
  const { jwk, pkcs8 } = await generateKeyMaterial(family);
  return { _id, family, createdAt: now, publicJwk: JSON.stringify(jwk), privateKey: envelope.seal(pkcs8, poolContext(_id)) };
}

/** In-process listeners per store: the refill job of this process hears about claims at once. */
const claimListeners = new WeakMap<Store, Set<() => void>>();

/** Calls `listener` after every claim made through `store` in this process; returns the unsubscribe function. */
export function onPoolClaim(store: Store, listener: () => void): () => void {
  let set = claimListeners.get(store);
  if (!set) claimListeners.set(store, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

export interface WantedKey {
  alg: SigningAlg;
  status: 'NEXT' | 'ACTIVE';
}

/**
 * Tenant keys made from pooled pairs, one per wanted key in the same order; null where
 * the pool is off or has no usable pair of that family left (the caller generates those).
 * Each pair is taken by a delete on its `_id` that only one caller can win, and is out of
 * the pool before its key material is used: a crash after that loses the pair, never
 * reuses it. One read of the candidates' ids, then one findOneAndDelete by `_id` per key
 * (all at once); a pair lost to a concurrent creation is replaced by the next candidate.
 */
export async function claimPooledKeys(rt: Runtime, tenantId: string, wanted: readonly WantedKey[]): Promise<(SigningKeyRecord | null)[]> {
  const out: (SigningKeyRecord | null)[] = wanted.map(() => null);
  if (rt.config.keyPoolTenants === 0) return out;
  const now = rt.clock.date();
  const cutoff = poolCutoff(now);
  const mk = rt.envelope.currentKeyId;
  const byFamily = new Map<KeyFamily, number[]>();
  wanted.forEach((w, i) => {
    const family = familyOf(w.alg);
    if (family) byFamily.set(family, [...(byFamily.get(family) ?? []), i]);
  });
  const candidates = await rt.store.keyPool.candidates(cutoff, mk);
  let claimed = 0;
  await Promise.all(
    [...byFamily].map(async ([family, slots]) => {
      const ids = candidates.filter((c) => c.family === family).map((c) => c._id);
      const open = [...slots];
      // As many takes at once as keys are wanted; a pair a concurrent creation won is replaced by the next candidate.
      while (open.length && ids.length) {
        const batch = ids.splice(0, open.length);
        for (const pair of await Promise.all(batch.map((id) => rt.store.keyPool.take(id, cutoff, mk)))) {
          if (!pair) continue;
          claimed++;
          const i = open[0] as number;
          const key = fromPair(rt, tenantId, wanted[i] as WantedKey, pair, now);
          if (key) {
            out[i] = key;
            open.shift();
          }
        }
      }
    }),
  );
  if (claimed) for (const listener of claimListeners.get(rt.store) ?? []) listener();
  return out;
}

/** The tenant key made from a claimed pair: re-sealed for the tenant under a new kid; null if the pair cannot be opened. */
function fromPair(rt: Runtime, tenantId: string, w: WantedKey, pair: KeyPoolPairRecord, now: Date): SigningKeyRecord | null {
  let pkcs8: Buffer;
  try {
    pkcs8 = rt.envelope.open(pair.privateKey, poolContext(pair._id));
  } catch (err) {
    rt.log.warn({ err, family: pair.family }, 'a pooled key pair could not be opened; it is discarded');
    return null;
  }
  return signingKeyFromMaterial(rt.envelope, tenantId, w.alg, w.status, now, { jwk: JSON.parse(pair.publicJwk) as JWK, pkcs8 });
}
