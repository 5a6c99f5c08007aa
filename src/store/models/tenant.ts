import { Schema, type Connection, type Model } from 'mongoose';
import type {
  ScopeDefinition,
  ClaimResolverDefinition,
  HookDefinition,
  EventWebhookDefinition,
  TenantRecord,
} from '../../tenancy/tenant-record.js';

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
    claimResolvers: {
      type: [
        new Schema<ClaimResolverDefinition>(
          {
            name: String,
            kind: String,
            targets: [String],
            mapping: {
              type: new Schema({ path: String, template: String, constant: String, type: String }, { _id: false }),
              default: null,
            },
            code: { type: String, default: null },
            webhook: { type: new Schema({ url: String, timeoutMs: Number, cacheTtlSeconds: Number }, { _id: false }), default: null },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    hooks: {
      type: [
        new Schema<HookDefinition>(
          {
            point: String,
            kind: String,
            code: { type: String, default: null },
            webhook: { type: new Schema({ url: String, timeoutMs: Number }, { _id: false }), default: null },
            failClosed: { type: Boolean, default: false },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    eventWebhooks: {
      type: [
        new Schema<EventWebhookDefinition>(
          {
            name: String,
            url: String,
            eventTypes: [String],
            enabled: Boolean,
            secret: { mk: String, iv: String, tag: String, ct: String },
            createdAt: Date,
            secretRotatedAt: Date,
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    state: { type: String },
    pending: { type: new Schema({ operationId: String, fingerprint: String, until: Date }, { _id: false }), default: undefined },
    revision: { type: Number, required: true, default: 1 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
schema.index({ slug: 1 }, { unique: true });

export const tenantModel = (conn: Connection): Model<TenantRecord> =>
  conn.models.Tenant ?? conn.model<TenantRecord>('Tenant', schema, 'tenants');
