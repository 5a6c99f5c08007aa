import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Slug → tenant id, keyed by the slug: a tenant's first request finds its record by two
 * `_id` lookups instead of a query on `slug` (which FerretDB 1.24 answers by scanning
 * every tenant). Written with the tenant (store/index.ts `tenants.insert`), removed with
 * its data (`deleteAll`: it carries `tenantId`). A link whose tenant is gone or PENDING
 * finds nothing. docs/architecture.md "How a tenant loads".
 */
export interface TenantSlugRecord {
  /** The slug. */
  _id: string;
  tenantId: string;
}

const schema = new Schema<TenantSlugRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
  },
  { versionKey: false },
);

export const tenantSlugModel = (conn: Connection): Model<TenantSlugRecord> =>
  conn.models.TenantSlug ?? conn.model<TenantSlugRecord>('TenantSlug', schema, 'tenant_slugs');
