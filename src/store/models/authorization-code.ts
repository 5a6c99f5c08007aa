import { Schema, type Connection, type Model } from 'mongoose';
import type { AuthorizationCodeRecord } from '../../tokens/authorization-code-record.js';

const schema = new Schema<AuthorizationCodeRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    grantId: { type: String, required: true },
    clientId: { type: String, required: true },
    redirectUri: { type: String, required: true },
    codeChallenge: { type: String, default: null },
    codeChallengeMethod: { type: String, default: null },
    dpopJkt: { type: String, default: null },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    grant: { type: Schema.Types.Mixed, default: null },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, expiresAt: 1 });

export const authorizationCodeModel = (conn: Connection): Model<AuthorizationCodeRecord> =>
  conn.models.AuthorizationCode ?? conn.model<AuthorizationCodeRecord>('AuthorizationCode', schema, 'authorization_codes');
