import { Schema, type Connection, type Model } from 'mongoose';

/**
 * An initial access token for dynamic client registration (RFC 7591 section 3), made by
 * `createInitialAccessToken`. Only its keyed hash is stored; the token is shown once.
 */
export interface InitialAccessTokenRecord {
  _id: string;
  tenantId: string;
  /** rt.envelope.hashSecret(token). */
  tokenHash: string;
  /** Single-use tokens are spent by their first successful registration. */
  singleUse: boolean;
  usedAt: Date | null;
  /** How many registrations it has authorized. */
  uses: number;
  /** The admin client that made it. */
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

const schema = new Schema<InitialAccessTokenRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    tokenHash: { type: String, required: true },
    singleUse: { type: Boolean, default: false },
    usedAt: { type: Date, default: null },
    uses: { type: Number, default: 0 },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, tokenHash: 1 }, { unique: true });

export const initialAccessTokenModel = (conn: Connection): Model<InitialAccessTokenRecord> =>
  conn.models.InitialAccessToken ?? conn.model<InitialAccessTokenRecord>('InitialAccessToken', schema, 'initial_access_tokens');
