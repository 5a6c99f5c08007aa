import { RESERVED_SLUGS, SLUG_PATTERN, signingAlgs, tenantDefaults, type TenantSettings } from '../config/defaults.js';
import { algsOf, familyOf, KEY_FAMILIES } from '../keys/families.js';
import type { Branding } from './tenant-record.js';
import type { TenantContext } from './tenant-context.js';
import { SUPPORTED_GRANT_TYPES } from '../clients/client-metadata.js';
import { InputError, NotFoundError } from '../errors/domain-errors.js';
import { alignTenantKeys } from '../keys/tenant-keys.js';
import type { Runtime } from '../runtime.js';

export interface TenantInput {
  slug: string;
  displayName: string;
  branding?: Branding | null;
  settings?: Partial<TenantSettings>;
}

export function validateSlug(slug: string, allowReserved = false): void {
  if (!SLUG_PATTERN.test(slug)) {
    throw new InputError(
      'slug',
      'must be 1-63 characters of a-z, 0-9 and -, starting and ending with a letter or digit',
      'invalid_request',
    );
  }
  if (!allowReserved && RESERVED_SLUGS.has(slug)) throw new InputError('slug', `"${slug}" is reserved`, 'invalid_request');
}

export function validateDisplayName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw new InputError('displayName', 'must be 1-200 characters', 'invalid_request');
  return trimmed;
}

/** A retry after a lost response comes within seconds; minutes would only widen what a stolen token buys. */
const MAX_REUSE_GRACE_SECONDS = 300;

const LIFETIMES = ['codeTtl', 'idTokenTtl', 'accessTokenTtl', 'refreshTokenTtl', 'consentTtl', 'sessionTtl'] as const;

export function validateSettings(settings: Partial<TenantSettings>): Partial<TenantSettings> {
  const out: Partial<TenantSettings> = {};
  for (const [k, v] of Object.entries(settings) as [keyof TenantSettings, unknown][]) {
    if (v === undefined || v === null) continue;
    if ((LIFETIMES as readonly string[]).includes(k)) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 10 * 365 * 24 * 3600) {
        throw new InputError(k, 'must be a whole number of seconds between 1 and 315360000', 'invalid_request');
      }
    }
    if (k === 'signingAlg' && !(signingAlgs as readonly unknown[]).includes(v)) {
      throw new InputError('signingAlg', `must be one of ${signingAlgs.join(', ')}`, 'invalid_request');
    }
    if (k === 'subjectType' && v !== 'public' && v !== 'pairwise')
      throw new InputError('subjectType', 'must be public or pairwise', 'invalid_request');
    if (k === 'dynamicRegistration' && !['OPEN', 'TOKEN', 'DISABLED'].includes(v as string)) {
      throw new InputError('dynamicRegistration', 'must be OPEN, TOKEN or DISABLED', 'invalid_request');
    }
    if (k === 'keyRotationDays' && (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 3650)) {
      throw new InputError('keyRotationDays', 'must be a whole number of days from 0 to 3650', 'invalid_request');
    }
    if (k === 'refreshTokenReuseGraceSeconds' && (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_REUSE_GRACE_SECONDS)) {
      throw new InputError(
        'refreshTokenReuseGraceSeconds',
        `must be a whole number of seconds from 0 to ${MAX_REUSE_GRACE_SECONDS}`,
        'invalid_request',
      );
    }
    if (k === 'passwordAcr' && (typeof v !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/.test(v))) {
      throw new InputError(
        'passwordAcr',
        'must be 1-256 printable ASCII characters without spaces, quotes or backslashes',
        'invalid_request',
      );
    }
    if (k === 'passwordGrant' && typeof v !== 'boolean') throw new InputError('passwordGrant', 'must be true or false', 'invalid_request');
    if (k === 'requireRequestUriRegistration' && typeof v !== 'boolean')
      throw new InputError('requireRequestUriRegistration', 'must be true or false', 'invalid_request');
    if (k === 'allowUnsignedRequestObjects' && typeof v !== 'boolean')
      throw new InputError('allowUnsignedRequestObjects', 'must be true or false', 'invalid_request');
    if (k === 'resourceIndicators' && typeof v !== 'boolean')
      throw new InputError('resourceIndicators', 'must be true or false', 'invalid_request');
    if (k === 'deviceFlow' && typeof v !== 'boolean') throw new InputError('deviceFlow', 'must be true or false', 'invalid_request');
    if (k === 'deviceCodeLifetime' && (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 86_400))
      throw new InputError('deviceCodeLifetime', 'must be a whole number of seconds from 1 to 86400', 'invalid_request');
    if (k === 'devicePollingInterval' && (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 300))
      throw new InputError('devicePollingInterval', 'must be a whole number of seconds from 1 to 300', 'invalid_request');
    if (
      (k === 'pushedAuthorizationRequests' || k === 'requirePushedAuthorizationRequests' || k === 'requireSignedRequestObject') &&
      typeof v !== 'boolean'
    )
      throw new InputError(k, 'must be true or false', 'invalid_request');
    if (k === 'securityProfile' && v !== 'DEFAULT' && v !== 'FAPI2_SECURITY')
      throw new InputError('securityProfile', 'must be DEFAULT or FAPI2_SECURITY', 'invalid_request');
    if ((k === 'dpop' || k === 'dpopNonce') && typeof v !== 'boolean') throw new InputError(k, 'must be true or false', 'invalid_request');
    if (k === 'allowedAudiences') {
      if (!Array.isArray(v) || v.length > 100)
        throw new InputError('allowedAudiences', 'must be a list of at most 100 audiences', 'invalid_request');
      for (const a of v) {
        if (typeof a !== 'string' || !a || a.length > 512 || /[\s\u0000-\u001f\u007f]/.test(a)) {
          throw new InputError('allowedAudiences', 'each audience is 1-512 characters without spaces', 'invalid_request');
        }
      }
      (out as Record<string, unknown>)[k] = [...new Set(v as string[])];
      continue;
    }
    if (k === 'keyFamilies') {
      if (!Array.isArray(v) || v.length === 0 || !v.every((f) => (KEY_FAMILIES as readonly unknown[]).includes(f))) {
        throw new InputError('keyFamilies', `must list at least one of ${KEY_FAMILIES.join(', ')}`, 'invalid_request');
      }
      (out as Record<string, unknown>)[k] = KEY_FAMILIES.filter((f) => v.includes(f));
      continue;
    }
    if (k === 'allowedGrantTypes') {
      if (!Array.isArray(v) || v.length === 0)
        throw new InputError('allowedGrantTypes', 'must list at least one grant type', 'invalid_request');
      for (const g of v) {
        if (!(SUPPORTED_GRANT_TYPES as readonly unknown[]).includes(g))
          throw new InputError('allowedGrantTypes', `"${String(g)}" is not a supported grant type`, 'invalid_request');
      }
      (out as Record<string, unknown>)[k] = [...new Set(v as string[])];
      continue;
    }
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** The tenant's own signing algorithm must have keys: it belongs to one of its key families. */
export function checkSigningAlgFamily(settings: Pick<TenantSettings, 'signingAlg' | 'keyFamilies'>): void {
  const family = familyOf(settings.signingAlg);
  if (!family || !settings.keyFamilies.includes(family)) {
    throw new InputError(
      'keyFamilies',
      `must include the family of signingAlg ${settings.signingAlg} (${family ?? '?'})`,
      'invalid_request',
    );
  }
}

export function validateBranding(b: Branding | null | undefined): Branding {
  const out: Branding = {};
  if (b?.logoUrl) {
    let url: URL;
    try {
      url = new URL(b.logoUrl);
    } catch {
      throw new InputError('branding.logoUrl', 'must be an absolute URL', 'invalid_request');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new InputError('branding.logoUrl', 'must be an http(s) URL', 'invalid_request');
    out.logoUrl = url.href;
  }
  if (b?.primaryColor) {
    if (!/^#[0-9a-fA-F]{6}$/.test(b.primaryColor))
      throw new InputError('branding.primaryColor', 'must be a colour like #1a2b3c', 'invalid_request');
    out.primaryColor = b.primaryColor.toLowerCase();
  }
  return out;
}

export interface TenantUpdate {
  displayName?: string | null;
  branding?: Branding | null;
  settings?: Partial<TenantSettings>;
  /** Settings to return to the platform default (config/defaults.ts). */
  resetSettings?: (keyof TenantSettings)[];
}

export async function updateTenant(rt: Runtime, tenant: TenantContext, input: TenantUpdate): Promise<TenantContext> {
  const set: Record<string, unknown> = {};
  if (input.displayName != null) set.displayName = validateDisplayName(input.displayName);
  if (input.branding !== undefined) set.branding = validateBranding(input.branding);
  const before = tenant.settings.keyFamilies;
  let after = before;
  if (input.settings || input.resetSettings?.length) {
    const merged: Record<string, unknown> = { ...tenant.record.settings, ...validateSettings(input.settings ?? {}) };
    for (const k of input.resetSettings ?? []) delete merged[k];
    const effective = { ...tenantDefaults, ...(merged as Partial<TenantSettings>) };
    checkSigningAlgFamily(effective);
    after = effective.keyFamilies;
    await checkClientsKeepTheirKeys(tenant, before, after);
    set.settings = merged;
  }
  const familiesChanged = before.join() !== after.join();
  // Keys of added families exist before any setting can point at them...
  if (familiesChanged) await alignTenantKeys(rt, tenant, [...new Set([...before, ...after])]);
  const record = await rt.store.tenants.update(tenant.id, set);
  if (!record) throw new NotFoundError(`tenant ${tenant.slug}`);
  let ctx = rt.tenants.install(record);
  await rt.tenants.publishChange(record);
  // ...and a removed family's keys are REVOKED once the tenant no longer names it.
  if (familiesChanged) ctx = await alignTenantKeys(rt, ctx, after);
  return ctx;
}

/** Removing a key family must not strand a client that signs ID tokens or userinfo with it. */
async function checkClientsKeepTheirKeys(tenant: TenantContext, before: readonly string[], after: readonly string[]): Promise<void> {
  const removed = algsOf(before).filter((alg) => !algsOf(after).includes(alg));
  const users = await tenant.store.clients.usingSigningAlgs(removed);
  if (users.length) {
    throw new InputError(
      'keyFamilies',
      `clients still sign with a removed family (${removed.join(', ')}): ${users.join(', ')}; change their idTokenSignedResponseAlg or userinfoSignedResponseAlg first`,
      'invalid_request',
    );
  }
}

/** Deletes the tenant first (so it disappears at once), then everything it owned. */
export async function deleteTenant(rt: Runtime, tenant: TenantContext): Promise<void> {
  if (RESERVED_SLUGS.has(tenant.slug)) throw new InputError('slug', `the "${tenant.slug}" tenant cannot be deleted`, 'invalid_request');
  await rt.store.tenants.delete(tenant.id);
  rt.tenants.drop(tenant.slug);
  await rt.tenants.publishChange(tenant.record);
  await tenant.store.deleteAll();
}
