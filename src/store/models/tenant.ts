import { Schema, type Connection, type Model } from 'mongoose';
import type { TenantSettings } from '../../config/defaults.js';

export interface Branding {
  logoUrl?: string | null;
  primaryColor?: string | null;
}

/**
 * A scope the tenant defines (beyond, or refining, the standard ones): shown in words on
 * the consent page and naming the claims it releases. Kept on the tenant record so that
 * the consent page and claim release read them from the cached tenant context.
 */
export interface ScopeDefinition {
  name: string;
  displayName: string;
  description: string;
  claims: string[];
}

export interface TenantRecord {
  _id: string;
  slug: string;
  displayName: string;
  branding: Branding;
  /** Only the settings that differ from config/defaults.ts are stored. */
  settings: Partial<TenantSettings>;
  /** The tenant's scope definitions, ordered by name (absent on records made before they existed). */
  scopes?: ScopeDefinition[];
  /** Bumped on every change to the tenant, its keys or its clients: caches key on it. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

const schema = new Schema<TenantRecord>(
  {
    _id: { type: String, required: true },
    slug: { type: String, required: true },
    displayName: { type: String, required: true },
    branding: { logoUrl: String, primaryColor: String },
    settings: { type: Schema.Types.Mixed, default: {} },
    scopes: {
      type: [new Schema<ScopeDefinition>({ name: String, displayName: String, description: String, claims: [String] }, { _id: false })],
      default: [],
    },
    revision: { type: Number, required: true, default: 1 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
schema.index({ slug: 1 }, { unique: true });

export const tenantModel = (conn: Connection): Model<TenantRecord> =>
  conn.models.Tenant ?? conn.model<TenantRecord>('Tenant', schema, 'tenants');
