import { Schema, type Connection, type Model } from 'mongoose';

/**
 * An opaque access token (for clients that chose `opaque`), stored by its hash (`_id`)
 * with what a JWT access token would have carried.
 */
export interface AccessTokenRecord {
  _id: string;
  tenantId: string;
  jti: string;
  clientId: string;
  /** The subject as the client sees it (public or pairwise), or the client id. */
  sub: string;
  /** The grant of a user token; null for client_credentials. */
  grantId: string | null;
  scopes: string[];
  audience: string[];
  authTime: number | null;
  acr: string | null;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  /** The RFC 8693 `act` claim (JSON) of a token issued by token exchange. */
  act?: string | null;
  /** RFC 9449: the DPoP key thumbprint the token is bound to (introspection's `cnf.jkt`). */
  jkt?: string | null;
}

const schema = new Schema<AccessTokenRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    jti: { type: String, required: true },
    clientId: { type: String, required: true },
    sub: { type: String, required: true },
    grantId: { type: String, default: null },
    scopes: { type: [String], default: [] },
    audience: { type: [String], default: [] },
    authTime: { type: Number, default: null },
    acr: { type: String, default: null },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    act: { type: String, default: null },
    jkt: { type: String, default: null },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, grantId: 1 });
schema.index({ tenantId: 1, expiresAt: 1 });

export const accessTokenModel = (conn: Connection): Model<AccessTokenRecord> =>
  conn.models.AccessToken ?? conn.model<AccessTokenRecord>('AccessToken', schema, 'access_tokens');
