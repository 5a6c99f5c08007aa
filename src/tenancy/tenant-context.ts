import { tenantDefaults, type TenantSettings } from '../config/defaults.js';
import type { TenantStore } from '../store/index.js';
import type { TenantRecord } from './tenant-record.js';

/**
 * Everything a request needs to know about its tenant, resolved once per request and
 * passed explicitly. A new object is made whenever the tenant's revision changes, so
 * modules cache derived data (key rings, discovery bodies, clients) in WeakMaps keyed
 * by the context and never serve a stale copy.
 */
export interface TenantContext {
  readonly id: string;
  readonly slug: string;
  /** Exactly `{PUBLIC_URL}/t/{slug}`: the `iss` of everything this tenant signs. */
  readonly issuer: string;
  readonly record: TenantRecord;
  readonly settings: TenantSettings;
  readonly store: TenantStore;
}

export function makeTenantContext(record: TenantRecord, publicUrl: string, store: TenantStore): TenantContext {
  return Object.freeze({
    id: record._id,
    slug: record.slug,
    issuer: `${publicUrl}/t/${record.slug}`,
    record,
    settings: { ...tenantDefaults, ...record.settings },
    store,
  });
}
