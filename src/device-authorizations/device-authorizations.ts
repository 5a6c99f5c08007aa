import { randomBytes } from 'node:crypto';
import { recordAuthorization, revokeAuthorization } from '../tokens/authorizations.js';
import type { Runtime } from '../runtime.js';
import type { DeviceAuthorizationRecord } from './device-authorization-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { newUserCode } from './user-code.js';

/**
 * The device authorization domain (RFC 8628): starting one, the user's decision, and
 * the lookups the device page and the token endpoint make. Protocol answers (error
 * codes, pacing) are oidc/device/'s; the page flow is interaction/device/'s.
 */

export interface StartedDeviceAuthorization {
  deviceCode: string;
  /** Normalised (no dash). */
  userCode: string;
  record: DeviceAuthorizationRecord;
}

/** Keyed hash of a device code: the record's id. */
export const deviceCodeId = (rt: Runtime, deviceCode: string): string => rt.envelope.hashSecret(`device_code|${deviceCode}`);
/** Keyed hash of a normalised user code. */
export const userCodeHash = (rt: Runtime, userCode: string): string => rt.envelope.hashSecret(`user_code|${userCode}`);

/** Stores a new pending authorization: a 256-bit device code and a fresh user code (drawn again on a collision). */
export async function startDeviceAuthorization(
  rt: Runtime,
  tenant: TenantContext,
  input: { clientId: string; scopes: string[]; resource: string[] },
  now: Date,
): Promise<StartedDeviceAuthorization> {
  const s = tenant.settings;
  for (let attempt = 0; attempt < 5; attempt++) {
    const deviceCode = randomBytes(32).toString('base64url');
    const userCode = newUserCode();
    const record: Omit<DeviceAuthorizationRecord, 'tenantId'> = {
      _id: deviceCodeId(rt, deviceCode),
      userCodeHash: userCodeHash(rt, userCode),
      clientId: input.clientId,
      scopes: input.scopes,
      resource: input.resource,
      status: 'pending',
      interval: s.devicePollingInterval,
      // The first poll may come at once; pacing applies between polls.
      nextPollAt: now,
      grantId: null,
      userId: null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + s.deviceCodeLifetime * 1000),
    };
    if (await tenant.store.deviceAuthorizations.insert(record)) {
      maybeSweep(tenant, now);
      return { deviceCode, userCode, record: { ...record, tenantId: tenant.id } };
    }
  }
  throw new Error('no free user code after 5 draws');
}

/** The live, undecided authorization a typed user code names (already normalised). */
export const findPendingByUserCode = (rt: Runtime, tenant: TenantContext, userCode: string, now: Date) =>
  tenant.store.deviceAuthorizations.findPendingByUserCode(userCodeHash(rt, userCode), now);

export interface DeviceApproval {
  userId: string;
  /** Seconds since the epoch: when the user authenticated (the ID token's auth_time). */
  authTime: number;
  acr: string | null;
  amr: string[];
  /** Granted scopes: what the user saw on the consent page. */
  scopes: string[];
  /** offline_access was requested and the client may refresh: the grant lives as long as a refresh family. */
  offlineAccess: boolean;
}

/**
 * The user approved: the grant the device's tokens come from is recorded, then the
 * authorization moves from pending to approved (once; null if it expired or was decided
 * meanwhile, and the grant is revoked again). The grant carries no `sid`: the device's
 * tokens do not end with the phone's browser session. It holds the resources the device
 * named (RFC 8707), as an authorization code's grant holds those of its request.
 */
export async function approveDeviceAuthorization(
  tenant: TenantContext,
  rec: DeviceAuthorizationRecord,
  approval: DeviceApproval,
  now: Date,
): Promise<DeviceAuthorizationRecord | null> {
  const s = tenant.settings;
  const span = (approval.offlineAccess ? s.refreshTokenTtl : s.deviceCodeLifetime) + s.accessTokenTtl;
  const scopes = approval.offlineAccess ? approval.scopes : approval.scopes.filter((x) => x !== 'offline_access');
  const grant = await recordAuthorization(
    tenant,
    {
      userId: approval.userId,
      clientId: rec.clientId,
      sid: '',
      scopes,
      authTime: approval.authTime,
      acr: approval.acr,
      amr: approval.amr,
      resource: rec.resource ?? [],
      offlineAccess: approval.offlineAccess,
      expiresAt: new Date(now.getTime() + span * 1000),
    },
    now,
  );
  const decided = await tenant.store.deviceAuthorizations.decide(rec._id, now, {
    status: 'approved',
    grantId: grant._id,
    userId: approval.userId,
  });
  if (!decided) await revokeAuthorization(tenant, grant._id);
  return decided;
}

/** The user denied: the device's next poll gets access_denied. */
export const denyDeviceAuthorization = (tenant: TenantContext, rec: DeviceAuthorizationRecord, userId: string | null, now: Date) =>
  tenant.store.deviceAuthorizations.decide(rec._id, now, { status: 'denied', grantId: null, userId });

/**
 * Records are kept an hour past expiry, so a late poll still hears expired_token and a
 * replayed device code is still recognised; then they go.
 */
const RETAIN_MS = 60 * 60_000;
function maybeSweep(tenant: TenantContext, now: Date): void {
  if (Math.random() < 0.02) void tenant.store.deviceAuthorizations.sweep(new Date(now.getTime() - RETAIN_MS)).catch(() => undefined);
}
