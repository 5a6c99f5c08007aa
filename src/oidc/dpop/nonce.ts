import { timingSafeEqual } from 'node:crypto';
import { dpopDefaults } from '../../config/defaults.js';
import type { Envelope } from '../../keys/envelope.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

/*
 * Server-provided DPoP nonces (RFC 9449 8, 9), stateless: a keyed hash of the tenant and
 * the current period, so every replica issues and accepts the same nonce without storing
 * anything. A nonce is accepted during its period and the next one; the response always
 * carries the current one, so a client that follows `DPoP-Nonce` never falls behind.
 */

const period = (nowMs: number): number => Math.floor(nowMs / 1000 / dpopDefaults.nonceSeconds);

const nonceOf = (envelope: Envelope, tenant: TenantContext, p: number): string =>
  envelope.keyedHash('dpop nonce', `${tenant.id}|${p}`).slice(0, 32);

/** The nonce to send now (`DPoP-Nonce` header). */
export function currentDpopNonce(envelope: Envelope, tenant: TenantContext, nowMs = tenant.clock.now()): string {
  return nonceOf(envelope, tenant, period(nowMs));
}

/** Whether `nonce` is this tenant's nonce of the current or the previous period. */
export function acceptDpopNonce(envelope: Envelope, tenant: TenantContext, nonce: string | undefined, nowMs = tenant.clock.now()): boolean {
  if (typeof nonce !== 'string' || nonce.length !== 32) return false;
  const given = Buffer.from(nonce);
  const p = period(nowMs);
  return [p, p - 1].some((q) => timingSafeEqual(given, Buffer.from(nonceOf(envelope, tenant, q))));
}
