import { Schema, type Connection, type Model } from 'mongoose';
import type { TenantSettings } from '../../config/defaults.js';

export interface Branding {
  logoUrl?: string | null;
  primaryColor?: string | null;
}

export interface TenantRecord {
  _id: string;
  slug: string;
  displayName: string;
  branding: Branding;
  /** Only the settings that differ from config/defaults.ts are stored. */
  settings: Partial<TenantSettings>;
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
    revision: { type: Number, required: true, default: 1 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
schema.index({ slug: 1 }, { unique: true });

export const tenantModel = (conn: Connection): Model<TenantRecord> =>
  conn.models.Tenant ?? conn.model<TenantRecord>('Tenant', schema, 'tenants');
