import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A refresh token, stored by its hash (`_id`). The family is the grant: every rotation
 * makes a new record of the same grant, and presenting a rotated-out token revokes the
 * grant (so the whole family and its access tokens).
 */
export interface RefreshTokenRecord {
  _id: string;
  tenantId: string;
  grantId: string;
  clientId: string;
  /** The scopes originally granted; a refresh may narrow the access token's, never widen. */
  scopes: string[];
  createdAt: Date;
  /** Absolute end of the family (grant creation + refreshTokenTtl); rotation keeps it. */
  expiresAt: Date;
  /** Set atomically when the token is exchanged; a second exchange is reuse. */
  rotatedAt: Date | null;
}

const schema = new Schema<RefreshTokenRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    grantId: { type: String, required: true },
    clientId: { type: String, required: true },
    scopes: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    rotatedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, grantId: 1 });
schema.index({ tenantId: 1, expiresAt: 1 });

export const refreshTokenModel = (conn: Connection): Model<RefreshTokenRecord> =>
  conn.models.RefreshToken ?? conn.model<RefreshTokenRecord>('RefreshToken', schema, 'refresh_tokens');
