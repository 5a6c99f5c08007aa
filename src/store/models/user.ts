import { Schema, type Connection, type Model } from 'mongoose';

export interface UserRecord {
  _id: string;
  tenantId: string;
  username: string;
  /** Lower-cased username: usernames are unique per tenant regardless of case. */
  usernameKey: string;
  /** argon2id PHC string. */
  passwordHash: string;
  /**
   * Standard OIDC claims and custom attributes, serialized JSON: claim names such as
   * `https://example.com/roles` cannot be MongoDB field names on every server.
   */
  claims: string;
  /** Copied out of claims for search. */
  email?: string | null;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const schema = new Schema<UserRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    username: { type: String, required: true },
    usernameKey: { type: String, required: true },
    passwordHash: { type: String, required: true },
    claims: { type: String, default: '{}' },
    email: String,
    disabled: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, usernameKey: 1 }, { unique: true });
schema.index({ tenantId: 1, email: 1 });

export const userModel = (conn: Connection): Model<UserRecord> => conn.models.User ?? conn.model<UserRecord>('User', schema, 'users');
