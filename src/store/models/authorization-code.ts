import { Schema, type Connection, type Model } from 'mongoose';
import type { GrantRecord } from './grant.js';

/**
 * An authorization code, stored by its hash (`_id`). Single use: redemption sets
 * `usedAt` in one atomic update that only matches while it is still null.
 */
export interface AuthorizationCodeRecord {
  /** Keyed hash of the code; the code itself is never stored. */
  _id: string;
  tenantId: string;
  grantId: string;
  clientId: string;
  /** The redirect_uri of the authorization request; the token request must repeat it exactly. */
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /**
   * A copy of the grant as the decision made it, so redeeming the code reads nothing
   * else (revocation is checked against the revocation view). Null on codes stored
   * before the copy existed: those read the grant.
   */
  grant: GrantRecord | null;
}

const schema = new Schema<AuthorizationCodeRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    grantId: { type: String, required: true },
    clientId: { type: String, required: true },
    redirectUri: { type: String, required: true },
    codeChallenge: { type: String, default: null },
    codeChallengeMethod: { type: String, default: null },
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
