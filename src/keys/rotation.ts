import { signingAlgs, type SigningAlg } from '../config/defaults.js';
import type { SigningKeyRecord } from './key-record.js';

/**
 * The key state machine, as pure functions over a tenant's key list:
 *   NEXT (published, not signing) → ACTIVE (signing) → RETIRED (published until every
 *   token it signed has expired) → removed;  any → REVOKED (unpublished at once).
 * `fresh(alg, status)` supplies newly generated keys.
 */
export type KeyFactory = (alg: SigningAlg, status: 'NEXT' | 'ACTIVE') => Promise<SigningKeyRecord>;

/** An ACTIVE and a NEXT key for each algorithm the tenant uses (default: all). */
export async function initialKeys(fresh: KeyFactory, algs: readonly SigningAlg[] = signingAlgs): Promise<SigningKeyRecord[]> {
  const keys = await Promise.all(algs.flatMap((alg) => [fresh(alg, 'ACTIVE'), fresh(alg, 'NEXT')]));
  return keys;
}

/**
 * Every algorithm the tenant uses: NEXT → ACTIVE, ACTIVE → RETIRED, a new NEXT.
 * `retireFor` = longest token lifetime. Keys of algorithms outside `algs` are left alone.
 */
export async function rotate(
  keys: SigningKeyRecord[],
  fresh: KeyFactory,
  now: Date,
  retireForSeconds: number,
  algs: readonly SigningAlg[] = signingAlgs,
): Promise<SigningKeyRecord[]> {
  const out = keys.map((k) => ({ ...k }));
  const added: SigningKeyRecord[] = [];
  for (const alg of algs) {
    const active = out.find((k) => k.alg === alg && k.status === 'ACTIVE');
    const next = out.find((k) => k.alg === alg && k.status === 'NEXT');
    if (active) retire(active, now, retireForSeconds);
    if (next) {
      next.status = 'ACTIVE';
      next.activatedAt = now;
    } else {
      added.push(await fresh(alg, 'ACTIVE'));
    }
    added.push(await fresh(alg, 'NEXT'));
  }
  return prune([...out, ...added], now);
}

/**
 * Brings a key list in line with the algorithms a tenant uses (tenant setting
 * keyFamilies): an algorithm without an ACTIVE key gets a fresh ACTIVE and NEXT pair; the
 * NEXT, ACTIVE and RETIRED keys of an algorithm no longer used become REVOKED, so they
 * leave the JWKS at once (docs/openid-connect.md "Key families"). Returns null when
 * nothing changes.
 */
export async function alignKeys(
  keys: SigningKeyRecord[],
  algs: readonly SigningAlg[],
  fresh: KeyFactory,
  now: Date,
): Promise<SigningKeyRecord[] | null> {
  let changed = false;
  const out = keys.map((k) => {
    if (algs.includes(k.alg) || k.status === 'REVOKED') return { ...k };
    changed = true;
    return { ...k, status: 'REVOKED' as const, revokedAt: now };
  });
  for (const alg of algs) {
    if (out.some((k) => k.alg === alg && k.status === 'ACTIVE')) continue;
    changed = true;
    const next = out.find((k) => k.alg === alg && k.status === 'NEXT');
    if (next) {
      next.status = 'ACTIVE';
      next.activatedAt = now;
    } else {
      out.push(await fresh(alg, 'ACTIVE'));
    }
    out.push(await fresh(alg, 'NEXT'));
  }
  return changed ? prune(out, now) : null;
}

export class UnknownKeyError extends Error {}

/**
 * Revokes one key. Revoking an ACTIVE key promotes its NEXT (so signing never stops) and
 * creates a new NEXT; revoking a NEXT creates a replacement NEXT.
 */
export async function revoke(keys: SigningKeyRecord[], kid: string, fresh: KeyFactory, now: Date): Promise<SigningKeyRecord[]> {
  const out = keys.map((k) => ({ ...k }));
  const key = out.find((k) => k.kid === kid && k.status !== 'REVOKED');
  if (!key) throw new UnknownKeyError(kid);
  const was = key.status;
  key.status = 'REVOKED';
  key.revokedAt = now;
  if (was === 'ACTIVE') {
    const next = out.find((k) => k.alg === key.alg && k.status === 'NEXT');
    if (next) {
      next.status = 'ACTIVE';
      next.activatedAt = now;
    } else {
      out.push(await fresh(key.alg, 'ACTIVE'));
    }
    out.push(await fresh(key.alg, 'NEXT'));
  } else if (was === 'NEXT') {
    out.push(await fresh(key.alg, 'NEXT'));
  }
  return prune(out, now);
}

function retire(key: SigningKeyRecord, now: Date, retireForSeconds: number): void {
  key.status = 'RETIRED';
  key.retiredAt = now;
  key.removeAfter = new Date(now.getTime() + retireForSeconds * 1000);
}

/** Drops RETIRED keys whose tokens have all expired; REVOKED ones stay for the record (without key material use). */
export function prune(keys: SigningKeyRecord[], now: Date): SigningKeyRecord[] {
  return keys.filter((k) => !(k.status === 'RETIRED' && k.removeAfter && k.removeAfter <= now));
}

/** Keys a verifier may use: published in the JWKS. */
export function isPublished(key: Pick<SigningKeyRecord, 'status' | 'removeAfter'>, now: Date): boolean {
  if (key.status === 'REVOKED') return false;
  if (key.status === 'RETIRED') return !key.removeAfter || key.removeAfter > now;
  return true;
}
