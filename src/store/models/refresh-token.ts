import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A spent refresh token, stored by its keyed hash (`_id`) when it is exchanged. Refresh
 * tokens are sealed and self-contained (oidc/issue/refresh-token.ts): one that has no
 * record here is unspent. The family is the grant: presenting a spent token revokes the
 * grant (so the whole family and its access tokens). Kept until the family ends.
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
  /** When it was exchanged (records exist only for spent tokens). */
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
