import { Schema, type Connection, type Model } from 'mongoose';
import type { ClientRecord } from '../../clients/client-record.js';

const schema = new Schema<ClientRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    clientId: { type: String, required: true },
    name: { type: String, required: true },
    clientType: { type: String, required: true },
    secretHash: String,
    secretEncrypted: { type: new Schema({ mk: String, iv: String, tag: String, ct: String }, { _id: false }), default: null },
    secretRotatedAt: Date,
    redirectUris: { type: [String], default: [] },
    postLogoutRedirectUris: { type: [String], default: [] },
    grantTypes: { type: [String], default: [] },
    responseTypes: { type: [String], default: [] },
    scopes: { type: [String], default: [] },
    tokenEndpointAuthMethod: { type: String, required: true },
    idTokenSignedResponseAlg: { type: String, required: true },
    requireConsent: { type: Boolean, default: true },
    reuseConsent: { type: Boolean, default: true },
    accessTokenFormat: { type: String, default: 'jwt' },
    canIntrospect: { type: Boolean, default: null },
    tokenExchangeClients: { type: [String], default: [] },
    metadata: { type: String, default: '{}' },
    registrationTokenHash: { type: String, default: null },
    disabled: { type: Boolean, default: false },
    registeredWith: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// Not unique: the `_id` (store/doc-ids.ts clientDocId) is the uniqueness rule; an older
// database's unique index is dropped at start (store/migrations.ts).
schema.index({ tenantId: 1, clientId: 1 });

export const clientModel = (conn: Connection): Model<ClientRecord> =>
  conn.models.Client ?? conn.model<ClientRecord>('Client', schema, 'clients');
